# Verilator support for rtl/ (issue 4).  Optional: without Verilator the RTL
# co-simulation tests are not built (the lint/synth test then skips).
#
# lv_verilate_core(<target> LANES <P> MAX_N <n> MAX_M <m> [CW <bits>] [OVERLAP 0|1]
#                  [SERIAL 0|1] [ACC_W <bits>] [PAIR 0|1])
#   A static library <target> holding rtl/langevin_core.v Verilated with
#   those parameters (CW: stored coupling width, default 16; OVERLAP: the
#   core's Overlap parameter, default 1; SERIAL: its Serial parameter, the
#   small-FPGA per-unit datapath, default 0; ACC_W: the coupling accumulator
#   width AccW, 33 .. 64, default 64; PAIR: its Pair parameter, 0 = one
#   multiplier and accumulator per coupling lane serving a coupling's two
#   updates in two cycles (needs OVERLAP 0 or SERIAL 1), default 1;
#   PREFIX Vlangevin_core, -Wall) and the extern "C" shim
#   rtl/sim/lvrtl_shim.cpp (API: rtl/sim/lvrtl.h), for plain C harnesses.
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
  cmake_parse_arguments(A "" "LANES;MAX_N;MAX_M;CW;OVERLAP;SERIAL;ACC_W;PAIR" "" ${ARGN})
  if(NOT A_CW)
    set(A_CW 16)
  endif()
  if(NOT DEFINED A_OVERLAP)
    set(A_OVERLAP 1)
  endif()
  if(NOT DEFINED A_SERIAL)
    set(A_SERIAL 0)
  endif()
  if(NOT A_ACC_W)
    set(A_ACC_W 64)
  endif()
  if(NOT DEFINED A_PAIR)
    set(A_PAIR 1)
  endif()
  get_property(srcs GLOBAL PROPERTY LV_RTL_SOURCES)
  get_property(incdir GLOBAL PROPERTY LV_RTL_DIR)
  add_library(${target} STATIC ${CMAKE_SOURCE_DIR}/rtl/sim/lvrtl_shim.cpp)
  target_include_directories(${target} PUBLIC ${CMAKE_SOURCE_DIR}/rtl/sim)
  target_compile_definitions(${target} PRIVATE
    LVRTL_P=${A_LANES} LVRTL_MAX_N=${A_MAX_N} LVRTL_MAX_M=${A_MAX_M} LVRTL_CW=${A_CW}
    LVRTL_OVERLAP=${A_OVERLAP} LVRTL_SERIAL=${A_SERIAL} LVRTL_ACC_W=${A_ACC_W}
    LVRTL_PAIR=${A_PAIR})
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
    VERILATOR_ARGS -Wall -GP=${A_LANES} -GMaxN=${A_MAX_N} -GMaxM=${A_MAX_M} -GCW=${A_CW} -GOverlap=${A_OVERLAP}
                   -GSerial=${A_SERIAL} -GAccW=${A_ACC_W} -GPair=${A_PAIR} --x-assign fast --x-initial fast)
endfunction()

# lv_verilate_module(<target> TOP <module> PREFIX <prefix> SOURCES <files...>
#                    [PARAMS <-Gname=value...>])
#   Adds one Verilated rtl/ module (PREFIX <prefix>, -Wall, rtl/ on the include
#   path) to the existing C++ target <target>, which holds its shim; call it once
#   per model (e.g. once per parameter set, each with its own PREFIX).
function(lv_verilate_module target)
  cmake_parse_arguments(A "" "TOP;PREFIX" "SOURCES;PARAMS" ${ARGN})
  get_property(incdir GLOBAL PROPERTY LV_RTL_DIR)
  verilate(${target}
    SOURCES ${A_SOURCES}
    INCLUDE_DIRS ${incdir}
    TOP_MODULE ${A_TOP}
    PREFIX ${A_PREFIX}
    VERILATOR_ARGS -Wall ${A_PARAMS} --x-assign fast --x-initial fast)
endfunction()

# lv_verilate_axi(<target> LANES <P> MAX_N <n> MAX_M <m> [ACC_W <bits>])
#   A static library <target> holding rtl/langevin_axi.v (the AXI4-Lite
#   register slave around langevin_core; PREFIX Vlangevin_axi, -Wall; ACC_W:
#   its AccW parameter, the coupling accumulator width reported in
#   CAP_ACC_W, 33 .. 64, default 64) and the
#   extern "C" shim rtl/sim/lvaxi_shim.cpp (API: rtl/sim/lvaxi.h).
#   langevin_axi `includes the generated lv_regs.vh, which exists only at
#   build time, so this does not use verilate() (it runs Verilator at
#   configure time): Verilator runs at build time (--cc --build, after the
#   register map is generated) into <binary dir>/<target>.dir, and the
#   Verilator runtime is compiled once into lv_verilated_rt.
function(lv_verilate_axi target)
  cmake_parse_arguments(A "" "LANES;MAX_N;MAX_M;ACC_W" "" ${ARGN})
  if(NOT A_ACC_W)
    set(A_ACC_W 64)
  endif()
  get_property(srcs GLOBAL PROPERTY LV_RTL_AXI_SOURCES)
  get_property(rtldir GLOBAL PROPERTY LV_RTL_DIR)
  set(gen ${CMAKE_BINARY_DIR}/generated)
  set(mdir ${CMAKE_CURRENT_BINARY_DIR}/${target}.dir)
  set(lib ${mdir}/Vlangevin_axi__ALL.a)
  find_package(Threads REQUIRED)
  if(NOT TARGET lv_verilated_rt)
    add_library(lv_verilated_rt STATIC ${VERILATOR_ROOT}/include/verilated.cpp
                                       ${VERILATOR_ROOT}/include/verilated_threads.cpp)
    target_include_directories(lv_verilated_rt SYSTEM PUBLIC ${VERILATOR_ROOT}/include
                                                             ${VERILATOR_ROOT}/include/vltstd)
    target_compile_options(lv_verilated_rt PRIVATE -Wno-error -w)
    target_link_libraries(lv_verilated_rt PUBLIC Threads::Threads)
  endif()
  add_custom_command(
    OUTPUT ${lib} ${mdir}/Vlangevin_axi.h
    COMMAND ${LV_VERILATOR_BIN} --cc --build -j 2 -Wall --top-module langevin_axi --prefix Vlangevin_axi
            -Mdir ${mdir} -I${rtldir} -I${gen}
            -GP=${A_LANES} -GMaxN=${A_MAX_N} -GMaxM=${A_MAX_M} -GAccW=${A_ACC_W}
            --x-assign fast --x-initial fast -CFLAGS -w -MAKEFLAGS OPT_FAST=-O2
            ${srcs}
    DEPENDS ${srcs} ${gen}/lv_regs.vh langevin_regs_gen
    COMMENT "Verilating langevin_axi (P = ${A_LANES}, MaxN = ${A_MAX_N}, MaxM = ${A_MAX_M}, AccW = ${A_ACC_W})"
    VERBATIM)
  add_custom_target(${target}_verilate DEPENDS ${lib})
  add_library(${target} STATIC ${CMAKE_SOURCE_DIR}/rtl/sim/lvaxi_shim.cpp)
  add_dependencies(${target} ${target}_verilate)
  target_include_directories(${target} PUBLIC ${CMAKE_SOURCE_DIR}/rtl/sim)
  target_include_directories(${target} SYSTEM PRIVATE ${mdir})
  target_compile_definitions(${target} PRIVATE
    LVAXI_P=${A_LANES} LVAXI_MAX_N=${A_MAX_N} LVAXI_MAX_M=${A_MAX_M} LVAXI_ACC_W=${A_ACC_W})
  target_compile_options(${target} PRIVATE -Wno-error -w)
  target_link_libraries(${target} PUBLIC ${lib} lv_verilated_rt)
endfunction()
