# Verilator support for rtl/ (issue 4).  Optional: without Verilator the RTL
# co-simulation tests are not built (the lint/synth test then skips).
#
# lv_verilate_core(<target> LANES <P> MAX_N <n> MAX_M <m>)
#   A static library <target> holding rtl/langevin_core.v Verilated with
#   those parameters (PREFIX Vlangevin_core, -Wall) and the extern "C" shim
#   tests/rtl/lvrtl_shim.cpp (API: tests/rtl/lvrtl.h), for plain C harnesses.
#   With LANGEVIN_RTL_TRACE=ON the model is built with FST tracing (the
#   harness enables it with LV_RTL_FST=<file>); off by default (tracing
#   slows every cycle even when no file is open).

find_program(LV_VERILATOR_BIN verilator)
if(LV_VERILATOR_BIN)
  # verilator-config.cmake probes C++ compiler flags: C++ must be on first.
  enable_language(CXX)
  set(CMAKE_CXX_STANDARD 17)
  find_package(verilator HINTS $ENV{VERILATOR_ROOT} QUIET)
endif()
option(LANGEVIN_RTL_TRACE "Build the Verilated RTL with FST waveform support" OFF)

function(lv_verilate_core target)
  cmake_parse_arguments(A "" "LANES;MAX_N;MAX_M" "" ${ARGN})
  get_property(srcs GLOBAL PROPERTY LV_RTL_SOURCES)
  get_property(incdir GLOBAL PROPERTY LV_RTL_DIR)
  add_library(${target} STATIC ${CMAKE_SOURCE_DIR}/tests/rtl/lvrtl_shim.cpp)
  target_include_directories(${target} PUBLIC ${CMAKE_SOURCE_DIR}/tests/rtl)
  target_compile_definitions(${target} PRIVATE
    LVRTL_P=${A_LANES} LVRTL_MAX_N=${A_MAX_N} LVRTL_MAX_M=${A_MAX_M})
  # Generated C++ is not held to the project's -Werror.
  target_compile_options(${target} PRIVATE -Wno-error -w)
  set(trace "")
  if(LANGEVIN_RTL_TRACE)
    set(trace TRACE_FST)
  endif()
  verilate(${target} ${trace}
    SOURCES ${srcs}
    INCLUDE_DIRS ${incdir}
    TOP_MODULE langevin_core
    PREFIX Vlangevin_core
    VERILATOR_ARGS -Wall -GP=${A_LANES} -GMaxN=${A_MAX_N} -GMaxM=${A_MAX_M}
                   --x-assign fast --x-initial fast)
endfunction()
