"""Prints the results of `make abuse` as a table; exits 1 when a scenario failed."""
import json
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
table = [["scenario", "what happened", "lost", "duplicated", "recovery", "ok"]]
for row in rows:
    recovery = "—" if row["recovery_s"] is None else f"{row['recovery_s']:.1f} s"
    table.append([row["scenario"], row["outcome"], str(row["lost"]), str(row["duplicated"]), recovery, "yes" if row["ok"] else "NO"])
widths = [max(len(row[index]) for row in table) for index in range(len(table[0]))]
for number, row in enumerate(table):
    print("  ".join(cell.ljust(widths[index]) for index, cell in enumerate(row)))
    if number == 0:
        print("  ".join("-" * width for width in widths))
sys.exit(0 if rows and all(row["ok"] for row in rows) else 1)
