# Reads a file of the repository, so the first attempt (before the full copy) fails and the
# install is retried after it.
pkgs <- readLines("binder/packages.txt")
install.packages(pkgs)
