"""`python -m cli` runs the `cimi` command."""
import sys

from cli.main import main

sys.exit(main())
