#!/usr/bin/env python3
"""Checks a labeled TSV: header, 7 columns, known labels. usage: validate.py FILE.tsv [PREFIX]"""
import sys
CATS = {"多職種連携","他職種への職能の周知","情報共有ツール","食べること","入退院支援","日常の療養支援",
        "急変時の対応","看取り","服薬・薬剤","人材育成・研修","住民・家族への普及啓発","地域の体制・役割分担","その他"}
PARTIES = {"医師","歯科医師","薬剤師","看護師","病院","病院連携室","介護支援専門員","リハビリテーション療法士",
           "栄養士","歯科衛生士","介護職","保健師","地域包括支援センター","社会福祉協議会","行政","患者・家族"}
PROFS = {"医師","歯科医師","薬剤師","看護師","病院連携室","介護支援専門員","リハビリテーション療法士",
         "栄養士","歯科衛生士","介護職","保健師","地域包括支援センター","社会福祉協議会"}
errors = 0
def err(n, m):
    global errors; errors += 1; print(f"line {n}: {m}")
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
if lines[0] != "id\tprofession\ttext\tcategories\tkind\ttier\trelated":
    err(1, "header must be: id profession text categories kind tier related (tabs)")
ids = set(); texts = set(); n = 0
for i, l in enumerate(lines[1:], 2):
    if not l.strip(): continue
    c = l.split("\t")
    if len(c) != 7: err(i, f"{len(c)} columns, need 7"); continue
    n += 1
    id_, prof, text, cats, kind, tier, rel = c
    if len(sys.argv) > 2 and not id_.startswith(sys.argv[2]): err(i, f"id must start with {sys.argv[2]}")
    if id_ in ids: err(i, "duplicate id")
    ids.add(id_)
    if prof not in PROFS: err(i, f"unknown profession {prof}")
    if not text.strip(): err(i, "empty text")
    if text in texts: err(i, "duplicate text")
    texts.add(text)
    cs = cats.split("、") if cats else []
    if not cs: err(i, "no category")
    for x in cs:
        if x not in CATS: err(i, f"unknown category {x}")
    if kind not in ("課題", "アイデア"): err(i, f"kind must be 課題 or アイデア: {kind}")
    if tier not in ("職種内", "職種間", "地域全体"): err(i, f"tier must be 職種内, 職種間 or 地域全体: {tier}")
    for x in (rel.split("、") if rel else []):
        if x not in PARTIES: err(i, f"unknown party {x}")
print(f"{n} remarks, {errors} errors")
sys.exit(1 if errors else 0)
