"""The `cimi` command: `cimi COMMAND [options]`, one sub-command per StratusLab workflow step.

Every failure ends as one `[ERROR] ...` line on stderr and a non-zero exit status (1 for a
failed operation, 2 for a wrong command line, 130 when interrupted, 141 when the reader of
its output went away, as in `cimi describe-instance --json | head`), never a traceback.
"""
import argparse
import os
import sys
from pathlib import Path

from cimi_client import __version__, images, machines, volumes
from cimi_client import cloud_init
from cimi_client.client import CimiError
from cimi_client.commands import Arg, Command, Invocation, describe_error
from cimi_client.config import SETTINGS, config_path, template
from cimi_client.output import JSON, QUIET, TEXT, Output

EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 1, 2, 130, 141
CONFIG_HELP = """\
configuration: settings come from the command line, then the environment (CIMI_<NAME>), then
the file (~/.config/cimi/cimi.cfg, --config or CIMI_CONFIG; `cimi copy-config` writes a
documented one) whose [default] section may be overridden by a section chosen with -S,
CIMI_SECTION or `selected_section`. The password is never a command-line option (it would
show in process listings): use CIMI_PASSWORD, `password` or `password_file` in the file,
--password-file, or type it at the prompt."""


def copy_config(invocation):
    path = config_path(vars(invocation.arguments), os.environ)
    if path.exists() and not invocation.arguments.force:
        raise CimiError(f"{path} already exists (use --force to replace it).")
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        stream.write(template())
    invocation.output.record({"path": str(path)}, str(path), str(path))


def prepare_context(invocation):
    arguments = invocation.arguments
    built = cloud_init.build([cloud_init.parse_pair(pair) for pair in arguments.pairs])
    Path(arguments.output).write_text(cloud_init.file_text(built), encoding="utf-8")
    invocation.output.record({"path": arguments.output, "keys": len(built.keys),
                              "userData": built.user_data is not None},
                             arguments.output, f"Context written to {arguments.output}")


GENERAL_COMMANDS = (
    Command("copy-config", copy_config, "write a documented configuration file",
            "Write a documented configuration file (mode 600) to ~/.config/cimi/cimi.cfg or "
            "--config, and print where.", (
                Arg("--force", action="store_true", help="replace an existing file"),
            )),
    Command("prepare-context", prepare_context, "write a cloud-init context file",
            "Write the cloud-init context for run-instance --context-file from mimetype,file "
            "pairs: ssh,KEY.pub for keys, x-shellscript,SCRIPT (or any text type) for parts "
            "of a multipart message, none,FILE for FILE as the whole user data.", (
                Arg("pairs", nargs="+", metavar="MIMETYPE,FILE", help="a context part"),
                Arg("-o", "--output", default="cloud-init.txt",
                    help="the file to write (default cloud-init.txt)"),
            )),
)
COMMANDS = machines.COMMANDS + volumes.COMMANDS + images.COMMANDS + GENERAL_COMMANDS


class Parser(argparse.ArgumentParser):
    """Usage errors as one line, like every other error. No abbreviated options: `--password`
    must not silently become `--password-file`."""

    def __init__(self, *arguments, **options):
        super().__init__(*arguments, allow_abbrev=False, **options)

    def error(self, message):
        sys.stderr.write(f"[ERROR] {message} (see `{self.prog} --help`)\n")
        sys.exit(EXIT_USAGE)


def build_parser():
    parser = Parser(prog="cimi", description="A client for DMTF CIMI clouds, with the "
                    "StratusLab user guide's workflows.", epilog=CONFIG_HELP,
                    formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_common_options(parser, None)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for command in COMMANDS:
        sub = subparsers.add_parser(command.name, help=command.help,
                                    description=command.description, epilog=CONFIG_HELP,
                                    parents=[_common_options(command.name)],
                                    formatter_class=argparse.RawDescriptionHelpFormatter)
        sub.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
        for argument in command.arguments:
            sub.add_argument(*argument.flags, **argument.options)
        sub.set_defaults(handler=command)
    return parser


def _common_options(command_name):
    common = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    _add_common_options(common, command_name)
    return common


def _add_common_options(parser, command_name):
    """The output and settings options, taken before the command (`cimi --format xml
    describe-instance`, command_name None: the options of every command) and after it.
    None has a default here: a default in the command's parser would overwrite what was
    given before the command, so `with_defaults` fills in what neither place gave."""
    output = parser.add_argument_group("output")
    modes = output.add_mutually_exclusive_group()
    modes.add_argument("-q", "--quiet", dest="mode", action="store_const", const=QUIET,
                       default=argparse.SUPPRESS, help="print only ids, one per line")
    modes.add_argument("--json", dest="mode", action="store_const", const=JSON,
                       default=argparse.SUPPRESS, help="print the resources as a JSON list")
    output.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS,
                        help="more detail (-v, -vv)")
    settings = parser.add_argument_group("settings")
    settings.add_argument("-S", "--section", metavar="NAME", default=argparse.SUPPRESS,
                          help="configuration file section to use (CIMI_SECTION)")
    settings.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS,
                          help="configuration file (CIMI_CONFIG; default ~/.config/cimi/cimi.cfg)")
    for setting in SETTINGS:
        if setting.flags and (setting.commands is None or command_name in setting.commands):
            settings.add_argument(*setting.flags, dest=setting.name, choices=setting.choices,
                                  metavar=setting.metavar, default=argparse.SUPPRESS,
                                  help=f"{setting.help} ({setting.variable})")


def with_defaults(arguments):
    """The parsed arguments with the common options that were not given set to their
    defaults (TEXT output, no verbosity, settings left to the environment and the file)."""
    defaults = {"mode": TEXT, "verbose": 0, "section": None, "config": None,
                **{setting.name: None for setting in SETTINGS if setting.flags}}
    for name, value in defaults.items():
        if not hasattr(arguments, name):
            setattr(arguments, name, value)
    return arguments


def main(argv=None):
    try:
        return _run(argv)
    except BrokenPipeError:
        # Python would report the failed flush of stdout at exit once more: point stdout
        # at nothing so it ends quietly, as other commands do at the end of a pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


def _run(argv):
    parser = build_parser()
    arguments = with_defaults(parser.parse_args(argv))
    if arguments.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    output = Output(arguments.mode)
    try:
        invocation = Invocation(arguments, output)
        arguments.handler.run(invocation)
    except CimiError as error:
        output.error(describe_error(error))
        return EXIT_FAILED
    except KeyboardInterrupt:
        output.error("Interrupted.")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        raise
    except Exception as failure:  # a bug here must still end as one line, not a traceback
        output.error(f"Unexpected failure ({type(failure).__name__}): {failure}")
        return EXIT_FAILED
    finally:
        output.finish()
    return EXIT_FAILED if invocation.failures else 0

