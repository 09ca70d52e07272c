this { is not valid nix
