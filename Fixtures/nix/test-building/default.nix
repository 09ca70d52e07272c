let
  nixpkgs = builtins.fetchTarball "https://github.com/NixOS/nixpkgs/archive/5574b6a152b1b3ae5f93ba37c4ffd1981f62bf5a.tar.gz";
  pkgs = import nixpkgs {};
  # Built in the image, not substituted from a cache.
  greeting = pkgs.runCommand "greeting" {} ''
    mkdir -p $out/bin
    printf '#!/bin/sh\necho built locally\n' > $out/bin/greeting
    chmod +x $out/bin/greeting
  '';
in
pkgs.mkShell {
  buildInputs = [ greeting pkgs.python36Packages.numpy pkgs.python36Packages.notebook ];
}
