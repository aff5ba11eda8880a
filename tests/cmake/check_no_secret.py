"""Fail when a built binary holds a test secret's bytes: secrets are
provisioned at run time, never compiled in (issue 11, defect 5).

usage: check_no_secret.py --secret S [--secret S...] FILE...
Each secret is looked for as it is, and as UTF-16LE (a wide literal).
"""
import argparse
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--secret", action="append", required=True)
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    bad = 0
    for path in args.files:
        with open(path, "rb") as f:
            data = f.read()
        for secret in args.secret:
            for form in (secret.encode(), secret.encode("utf-16-le")):
                at = data.find(form)
                if at >= 0:
                    print("%s: holds a test secret at offset %d" % (path, at))
                    bad += 1
        print("%s: %d bytes searched for %d secrets" % (path, len(data), len(args.secret)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
