#!/usr/bin/env python3
"""JSON for the install scripts beside this file (docs/mgmt-driver.md, install-script contract).

  vnfm_json.py get <params.json> <dotted.key> [str|list|json]
      prints the value (a string as is; `list`: one item per line; `json`: as JSON);
      prints nothing when the key is missing or null.
  vnfm_json.py result key=@file key=%file key=:text ...
      prints the one `MGMT_RESULT <json>` line: `@file` a file's text, `%file` a file's
      JSON, `:text` the text itself. Secrets travel in files, never as arguments.
"""
import json
import sys


def fail(msg):
    print(f"vnfm_json: {msg}", file=sys.stderr)
    sys.exit(2)


def get(path, key, kind="str"):
    try:
        with open(path) as f:
            value = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"cannot read {path}: {e}")
    for part in key.split("."):
        if not isinstance(value, dict) or value.get(part) is None:
            return
        value = value[part]
    if kind == "json":
        print(json.dumps(value))
    elif kind == "list":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            fail(f"{key} is not a list of strings")
        for v in value:
            if "\n" in v:
                fail(f"{key}: an item holds a newline")
            print(v)
    else:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            fail(f"{key} is not a string")
        print(value)


def result(pairs):
    out = {}
    for pair in pairs:
        key, sep, spec = pair.partition("=")
        if not sep or not spec:
            fail(f"bad result argument {key!r}")
        kind, arg = spec[0], spec[1:]
        if kind == ":":
            out[key] = arg
            continue
        try:
            with open(arg) as f:
                out[key] = json.load(f) if kind == "%" else f.read()
        except (OSError, ValueError) as e:
            fail(f"{key}: cannot read {arg}: {e}")
    print("MGMT_RESULT " + json.dumps(out))


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "get":
        get(*sys.argv[2:5])
    elif len(sys.argv) >= 2 and sys.argv[1] == "result":
        result(sys.argv[2:])
    else:
        fail(__doc__)
