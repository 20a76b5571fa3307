"""dacapo-arrays, the product: blockwise writer, viewer, command line and testing kit."""

from ._owner import check_owner

check_owner()  # dacapo-ml installs a `dacapo` package too: say so, with the fix
