"""Prints the figures of one `make bench` run (JSON lines) as a table: ours beside each peer's."""
import json
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
peers = []
for row in rows:
    if row.get("peer") and row["peer"] not in peers:
        peers.append(row["peer"])
names = []
for row in rows:
    if row["name"] not in names:
        names.append(row["name"])
header = ["measure", "unit", "arkyra"] + peers
table = [header]
for name in names:
    unit = next(row["unit"] for row in rows if row["name"] == name)
    cells = [name, unit]
    for peer in [None] + peers:
        value = next((row["value"] for row in rows if row["name"] == name and row.get("peer") == peer), None)
        cells.append("—" if value is None else f"{value:,.2f}")
    table.append(cells)
widths = [max(len(row[index]) for row in table) for index in range(len(header))]
for number, row in enumerate(table):
    print("  ".join(cell.ljust(widths[index]) if index < 2 else cell.rjust(widths[index]) for index, cell in enumerate(row)))
    if number == 0:
        print("  ".join("-" * width for width in widths))
