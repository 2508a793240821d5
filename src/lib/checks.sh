# Sourced by src/e2e/run.sh and src/reliability/run.sh: installing what they need, building the
# sample app, running their Python check. The caller sets ROOT and defines say (progress to stderr)
# and die (report and exit).

# need COMMAND PACKAGE: install the Debian package when the command is missing and we are root.
need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing $2 (for $1) with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null 2>&1 || {
      apt-get update -q >/dev/null 2>&1
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null 2>&1
    } || true
  fi
  command -v "$1" >/dev/null 2>&1 || die "$1 is missing: apt-get install $2"
}

# prepare_sample_app: sets JAR to the sample app's jar, building it when missing, and puts MNIST in
# place (./run-sample.sh --fetch-only).
prepare_sample_app() {
  JAR="$ROOT/sample-app/target/sample-app.jar"
  if [ ! -f "$JAR" ]; then
    need mvn maven
    say "building $JAR (mvn -q -B -DskipTests package)"
    mvn -q -B -DskipTests package || die "the Maven build failed"
  fi
  [ -x "$ROOT/run-sample.sh" ] || die "run-sample.sh (which fetches MNIST) is missing"
  "$ROOT/run-sample.sh" --fetch-only || die "fetching MNIST failed (run-sample.sh --fetch-only)"
}

# run_check SCRIPT [ARGS...]: runs a Python check and exits with its status. The check stops what
# it started when it ends and on SIGTERM/SIGINT; it runs in its own process group so that a signal
# to the calling script reaches it even through a wrapper (a pyenv shim).
run_check() {
  set +e
  set -m
  python3 "$@" &
  child=$!
  trap 'kill -TERM -- "-$child" 2>/dev/null' TERM INT HUP
  wait "$child"
  status=$?
  while kill -0 "$child" 2>/dev/null; do # a trapped signal ends `wait` early: let the cleanup finish
    wait "$child"
    status=$?
  done
  exit "$status"
}
