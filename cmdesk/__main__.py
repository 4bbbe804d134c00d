"""``python -m cmdesk`` runs the command line."""

import sys

from cmdesk.cli import main

sys.exit(main())
