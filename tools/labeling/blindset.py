#!/usr/bin/env python3
"""Steps of building blind-r6: combine | disagreements | settle."""
import sys
import os
OUT = os.environ.get("LABEL_OUT", "/work/data/out")
HEADER = "id\tprofession\ttext\tcategories\tkind\ttier\trelated"
FIELDS = {"categories": 3, "kind": 4, "tier": 5, "related": 6}
def rows(p):
    return [l.split("\t") for l in open(p, encoding="utf-8").read().split("\n")[1:] if l.strip()]
def norm(field, v):
    return "、".join(sorted(v.split("、"))) if field in ("categories", "related") and v else v
step = sys.argv[1]
if step == "combine":
    allr = [r for p in ("R6A", "R6B", "R6C") for r in rows(f"{OUT}/{p}.tsv")]
    open(f"{OUT}/first.tsv", "w", encoding="utf-8").write(HEADER + "\n" + "\n".join("\t".join(r) for r in allr) + "\n")
    open(f"{OUT}/second-input.tsv", "w", encoding="utf-8").write("id\tprofession\ttext\n" + "\n".join("\t".join(r[:3]) for r in allr) + "\n")
    print(len(allr), "remarks")
elif step == "disagreements":
    A = {r[0]: r for r in rows(f"{OUT}/first.tsv")}; B = {r[0]: r for r in rows(f"{OUT}/second.tsv")}
    assert set(A) == set(B), "ids differ"
    out = []
    for i, a in A.items():
        b = B[i]; assert a[2] == b[2], f"text differs {i}"
        for f, k in FIELDS.items():
            if norm(f, a[k]) != norm(f, b[k]):
                out.append([i, a[1], a[2], f, a[k], b[k]])
    open(f"{OUT}/disagreements.tsv", "w", encoding="utf-8").write("id\tprofession\ttext\tfield\tA\tB\n" + "\n".join("\t".join(r) for r in out) + "\n")
    print(len(out), "disagreements")
elif step == "settle":
    A = {r[0]: r for r in rows(f"{OUT}/first.tsv")}
    d = [l.split("\t") for l in open(f"{OUT}/disagreements.tsv", encoding="utf-8").read().split("\n")[1:] if l.strip()]
    s = [l.split("\t") for l in open(f"{OUT}/settled.tsv", encoding="utf-8").read().split("\n")[1:] if l.strip()]
    assert len(d) == len(s), f"{len(d)} disagreements, {len(s)} settled"
    from collections import Counter
    v = Counter()
    for r in s:
        i, f, val, verdict = (r + [""] * 4)[:4]
        v[verdict] += 1
        A[i][FIELDS[f]] = val
    open(f"{OUT}/blind-r6.tsv", "w", encoding="utf-8").write(HEADER + "\n" + "\n".join("\t".join(r) for r in A.values()) + "\n")
    print(dict(v))
