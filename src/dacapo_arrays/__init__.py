"""dacapo-arrays, the product: blockwise writer, viewer, command line and testing kit."""
