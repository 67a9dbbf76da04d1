#!/usr/bin/env python3
"""validate.py SCHEMA FILE.ndjson... - check vmstorm run files against the event schema.

Every non-blank line must be a JSON object valid under SCHEMA (JSON Schema
draft 2020-12, with format checking). Across the file: seq starts at 0 and
goes up by one per line, v is the schema's version, the first line is
run_begin and the last is run_end (a last line without its newline is
reported as truncated).

Prints "FILE:LINE: message" for each problem (LINE is 1-based; 0 for the
whole file) and exits 1 if there was any, 0 otherwise (2 on bad usage).
Needs Python 3 and jsonschema 4.x only. Also importable: Checker(schema)
.line_problems(obj) checks one decoded line against the schema alone.
"""

import datetime
import json
import re
import sys

import jsonschema

# RFC 3339 date-time (the "date-time" format). Checked here rather than by
# jsonschema's optional rfc3339-validator dependency, so that the result does
# not depend on which extras happen to be installed.
_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?"
    r"([Zz]|[+-](\d{2}):(\d{2}))$"
)


def is_rfc3339(value):
    if not isinstance(value, str):
        return True  # format applies to strings only
    m = _RFC3339.match(value)
    if not m:
        return False
    year, month, day, hour, minute, second = (int(m.group(i)) for i in range(1, 7))
    try:
        datetime.datetime(year, month, day, hour, minute, min(second, 59))
    except ValueError:
        return False
    if second > 60:  # 60 is a leap second
        return False
    if m.group(9) is not None and (int(m.group(9)) > 23 or int(m.group(10)) > 59):
        return False
    return True


def _pointer(path):
    return "/" + "/".join(str(p) for p in path) if path else ""


class Checker:
    def __init__(self, schema):
        jsonschema.Draft202012Validator.check_schema(schema)
        fc = jsonschema.FormatChecker()
        fc.checks("date-time")(is_rfc3339)
        self.validator = jsonschema.Draft202012Validator(schema, format_checker=fc)
        try:
            self.version = schema["$defs"]["envelope"]["properties"]["v"]["const"]
        except (KeyError, TypeError):
            self.version = 1

    def line_problems(self, obj):
        """Schema problems of one decoded line, as sorted, de-duplicated strings."""
        seen = set()
        out = []
        for e in self.validator.iter_errors(obj):
            where = _pointer(list(e.absolute_path))
            msg = (where + ": " if where else "") + e.message
            if msg not in seen:
                seen.add(msg)
                out.append(msg)
        out.sort()
        return out

    def file_problems(self, path):
        """All problems of one file, as (line number, message) pairs."""
        problems = []
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            return [(0, "cannot read: %s" % e.strerror)]
        raw_lines = data.split(b"\n")
        complete = data.endswith(b"\n")
        if complete:
            raw_lines.pop()  # the empty piece after the final newline

        first = last = None  # (lineno, obj) of the first/last decoded line
        expected_seq = 0
        for i, raw in enumerate(raw_lines, 1):
            is_final = i == len(raw_lines)
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as e:
                if is_final and not complete:
                    problems.append((i, "truncated final line (no newline, not valid JSON)"))
                else:
                    problems.append((i, "not valid JSON: %s" % e))
                expected_seq += 1
                continue
            if is_final and not complete:
                problems.append((i, "final line has no newline (truncated?)"))
            if first is None:
                first = (i, obj)
            last = (i, obj)
            if not isinstance(obj, dict):
                problems.append((i, "not a JSON object"))
                expected_seq += 1
                continue

            if "v" in obj and obj["v"] != self.version:
                problems.append((i, "v is %s, this schema is version %s (line not checked further)"
                                 % (json.dumps(obj["v"]), self.version)))
            else:
                problems.extend((i, m) for m in self.line_problems(obj))

            seq = obj.get("seq")
            if isinstance(seq, int) and not isinstance(seq, bool):
                if seq != expected_seq:
                    if expected_seq == 0 and first[0] == i:
                        problems.append((i, "seq is %d, the first line must have seq 0" % seq))
                    else:
                        problems.append((i, "seq is %d, expected %d (lines lost or reordered)"
                                         % (seq, expected_seq)))
                expected_seq = seq + 1
            else:
                expected_seq += 1

        if first is None:
            problems.append((0, "no events: a run file starts with run_begin"))
            return problems
        if not isinstance(first[1], dict) or first[1].get("kind") != "run_begin":
            problems.append((first[0], "first line must be kind run_begin"))
        if not isinstance(last[1], dict) or last[1].get("kind") != "run_end":
            problems.append((last[0], "last line must be kind run_end (file cut short?)"))
        problems.sort(key=lambda p: p[0])
        return problems


def main(argv):
    if len(argv) < 3 or argv[1] in ("-h", "--help"):
        sys.stderr.write("usage: validate.py SCHEMA FILE.ndjson...\n")
        return 2
    try:
        with open(argv[1], encoding="utf-8") as f:
            schema = json.load(f)
        checker = Checker(schema)
    except (OSError, ValueError, jsonschema.SchemaError) as e:
        sys.stderr.write("validate.py: bad schema %s: %s\n" % (argv[1], e))
        return 2
    bad = False
    for path in argv[2:]:
        problems = checker.file_problems(path)
        for line, msg in problems:
            print("%s:%d: %s" % (path, line, msg))
        bad = bad or bool(problems)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
