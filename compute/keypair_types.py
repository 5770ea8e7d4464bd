"""The types of key pairs (Nova's), apart from ``compute.keypairs`` so that agents,
which have no database, can name them (the config drive's ``keys``)."""
SSH = 'ssh'
X509 = 'x509'
