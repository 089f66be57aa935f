"""What the image-build checks (stall_check, relay_check) share: how they end."""

import sys


def finish(name, wrong):
    """Prints each thing found wrong and exits non-zero, or prints that all is well."""
    for line in wrong:
        print(f"{name}: {line}", file=sys.stderr)
    if wrong:
        sys.exit(1)
    print(f"{name}: ok")
