"""Writes fruit.csv: a small synthetic table for scenarios/csv_example.toml.

Invented data (no real measurements), released to the public domain (CC0). Three fruits with
overlapping Gaussian measurements, an `id` column that is not a feature, the label as text in the
second column. Deterministic: `python3 make_fruit.py` rewrites the same file.
"""
import random

rng = random.Random(20240601)
# fruit: mean and std of weight (g), diameter (cm), sugar (g per 100 g), pH
FRUIT = {
    "orange": [(150, 25), (7.5, 0.6), (9.0, 1.2), (3.6, 0.25)],
    "apple": [(160, 30), (7.2, 0.6), (10.5, 1.3), (3.4, 0.25)],
    "lemon": [(100, 20), (6.0, 0.6), (2.5, 0.8), (2.3, 0.20)],
}
COUNTS = {"orange": 90, "apple": 80, "lemon": 50}
rows = []
for fruit, stats in FRUIT.items():
    for _ in range(COUNTS[fruit]):
        rows.append([fruit] + [round(rng.gauss(m, s), 2) for m, s in stats])
rng.shuffle(rows)
with open("fruit.csv", "w") as f:
    f.write("id,fruit,weight_g,diameter_cm,sugar_g,ph\n")
    for i, r in enumerate(rows, start=1):
        f.write(f"{i},{r[0]}," + ",".join(str(v) for v in r[1:]) + "\n")
