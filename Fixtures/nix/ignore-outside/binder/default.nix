let
  # A pinned nixpkgs, so the environment does not move with the channel.
  nixpkgs = builtins.fetchTarball "https://github.com/NixOS/nixpkgs/archive/5574b6a152b1b3ae5f93ba37c4ffd1981f62bf5a.tar.gz";
  pkgs = import nixpkgs {};
in
pkgs.mkShell {
  buildInputs = with pkgs; [
    python36Packages.notebook
  ];
}
