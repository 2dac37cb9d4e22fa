"""`python -m jackpot.cli …`, as the worker supervisor and `jackpot demo` start workers."""

import sys

from jackpot.cli import main

sys.exit(main())
