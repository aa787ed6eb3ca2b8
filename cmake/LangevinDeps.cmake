# Locate the Debian packages the project depends on and expose them as
# imported targets with one name each.  scripts/bootstrap.sh installs them.

find_package(OpenMP REQUIRED COMPONENTS C)
find_package(PNG REQUIRED)
find_package(ZLIB REQUIRED)

# OpenBLAS, the OpenMP build (Debian libopenblas-openmp-dev).  The default
# pthread build spins its own threads next to our OpenMP loops; on 2 cores
# that contention made a generation run 2.6x slower than one thread.  With
# the OpenMP build both share one libgomp pool.
find_path(OPENBLAS_INCLUDE_DIR NAMES cblas.h
          PATHS /usr/include/x86_64-linux-gnu/openblas-openmp /usr/include/openblas-openmp
          NO_DEFAULT_PATH)
find_library(OPENBLAS_LIBRARY NAMES openblas
             PATHS /usr/lib/x86_64-linux-gnu/openblas-openmp /usr/lib/openblas-openmp
             NO_DEFAULT_PATH)
if(NOT OPENBLAS_INCLUDE_DIR OR NOT OPENBLAS_LIBRARY)
  message(FATAL_ERROR "OpenBLAS not found: run scripts/bootstrap.sh (apt package libopenblas-openmp-dev)")
endif()
add_library(langevin::blas UNKNOWN IMPORTED)
set_target_properties(langevin::blas PROPERTIES
  IMPORTED_LOCATION "${OPENBLAS_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${OPENBLAS_INCLUDE_DIR}")

# cJSON: no CMake config in Debian's libcjson-dev 1.7.15 is relied upon.
find_path(CJSON_INCLUDE_DIR NAMES cjson/cJSON.h)
find_library(CJSON_LIBRARY NAMES cjson)
if(NOT CJSON_INCLUDE_DIR OR NOT CJSON_LIBRARY)
  message(FATAL_ERROR "cJSON not found: run scripts/bootstrap.sh (apt package libcjson-dev)")
endif()
add_library(langevin::cjson UNKNOWN IMPORTED)
set_target_properties(langevin::cjson PROPERTIES
  IMPORTED_LOCATION "${CJSON_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${CJSON_INCLUDE_DIR}")

find_library(MATH_LIBRARY m)

# libfixmath (Debian libfixmath-dev): Q16.16 parameter conversions of the
# emulated device.  Debian ships only a static archive named liblibfixmath.a
# and no CMake or pkg-config file.
find_path(FIXMATH_INCLUDE_DIR NAMES libfixmath/fix16.h)
find_library(FIXMATH_LIBRARY NAMES libfixmath)
if(NOT FIXMATH_INCLUDE_DIR OR NOT FIXMATH_LIBRARY)
  message(FATAL_ERROR "libfixmath not found: run scripts/bootstrap.sh (apt package libfixmath-dev)")
endif()
add_library(langevin::fixmath UNKNOWN IMPORTED)
set_target_properties(langevin::fixmath PROPERTIES
  IMPORTED_LOCATION "${FIXMATH_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${FIXMATH_INCLUDE_DIR}")
