MESSAGE = "installed from the repository"
