/* SPDX-License-Identifier: MIT */
/* ptkit: command-line front end. Dispatches to one cmd_*.c per subcommand. */
#include "cli.h"

#include <string.h>

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "formats", cmd_formats }, { "build", cmd_build }, { "translate", cmd_translate },
	{ "dump", cmd_dump },	    { "demo", cmd_demo },   { "verify", cmd_verify },
};

static const char usage[] =
	"usage: ptkit COMMAND [OPTIONS]\n"
	"\n"
	"  formats                                   list the page-table formats\n"
	"  build     --format F --base PA [--size BYTES] -o IMAGE SPEC\n"
	"                                            build tables from a spec into an image\n"
	"  translate --format F --image IMAGE [--base PA] [--root PA [--root1 PA]] [--trace]\n"
	"            [--json] [VA...]\n"
	"                                            translate addresses as the MMU would\n"
	"  dump      --format F --image IMAGE [--base PA] [--root PA [--root1 PA]] [--json]\n"
	"                                            list every mapping\n"
	"  demo      [--format F]                    build and show a realistic address space\n"
	"  verify    --format F --count N [--seed S] check the tables against QEMU's MMU\n"
	"\n"
	"'ptkit help COMMAND' (or 'ptkit COMMAND --help') describes one command;\n"
	"'ptkit --version' prints the version.\n";

/* `ptkit help CMD`: what `ptkit CMD --help` prints, from the command itself. */
static int help(int argc, char **argv)
{
	char *help_argv[] = { argv[1], "--help", NULL };

	if (argc > 2)
		cli_usage_error("help: unexpected argument '%s' (one COMMAND)", argv[2]);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[1], commands[i].name)) {
			cli_cmd = commands[i].name;
			return commands[i].run(2, help_argv);
		}
	}
	cli_usage_error("help: unknown command '%s'", argv[1]);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    (!strcmp(argv[1], "help") &&
	     (argc == 2 || !strcmp(argv[2], "--help") || !strcmp(argv[2], "-h")))) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "help"))
		return help(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--version")) {
		printf("ptkit %s\n", pt_version());
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[1], commands[i].name)) {
			cli_cmd = commands[i].name;
			return commands[i].run(argc - 1, argv + 1);
		}
	}
	cli_usage_error("unknown command '%s'", argv[1]);
}
