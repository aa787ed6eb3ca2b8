# The sources of langevin_core, relative to rtl/, in dependency order: the one
# list that CMake (rtl/CMakeLists.txt), the lint scripts (tests/rtl/) and
# scripts/fpga_estimates.sh read.  Lines starting with # are comments.
lv_ram.v
lv_delay.v
noise_source.v
noise_source_iter.v
noise_dac.v
coupling_mac.v
nonlinearity.v
integrator.v
meter_sums.v
energy_meter.v
unit_serial.v
core_units_pipe.v
core_units_serial.v
langevin_core.v
