#!/usr/bin/env python3
"""Agreement between two labelings of the same remarks: κ per field.
usage: kappa.py A.tsv B.tsv [--disagreements OUT.tsv]"""
import sys, collections
CATS = ["多職種連携","他職種への職能の周知","情報共有ツール","食べること","入退院支援","日常の療養支援",
        "急変時の対応","看取り","服薬・薬剤","人材育成・研修","住民・家族への普及啓発","地域の体制・役割分担","その他"]
PARTIES = ["医師","歯科医師","薬剤師","看護師","病院","病院連携室","介護支援専門員","リハビリテーション療法士",
           "栄養士","歯科衛生士","介護職","保健師","地域包括支援センター","社会福祉協議会","行政","患者・家族"]
def load(p):
    d={}
    for l in open(p,encoding="utf-8").read().split("\n")[1:]:
        if not l.strip(): continue
        c=l.split("\t"); d[c[0]]=c
    return d
def kappa(pairs):
    n=len(pairs); po=sum(a==b for a,b in pairs)/n
    ca=collections.Counter(a for a,_ in pairs); cb=collections.Counter(b for _,b in pairs)
    pe=sum(ca[k]*cb[k] for k in set(ca)|set(cb))/(n*n)
    return (po-pe)/(1-pe) if pe<1 else 1.0, po
def split(s): return set(s.split("、")) if s else set()
A=load(sys.argv[1]); B=load(sys.argv[2]); ids=[i for i in A if i in B]
print(f"remarks compared: {len(ids)}")
for name,idx in [("課題/アイデア",4),("所在",5)]:
    k,po=kappa([(A[i][idx],B[i][idx]) for i in ids]); print(f"{name}: κ {k:.3f}, agreement {po:.3f}")
for name,idx,vocab in [("カテゴリ",3,CATS),("関係職種",6,PARTIES)]:
    ks=[];tp=fp=fn=0
    for v in vocab:
        pairs=[(v in split(A[i][idx]), v in split(B[i][idx])) for i in ids]
        if any(a or b for a,b in pairs): ks.append(kappa(pairs)[0])
    for i in ids:
        a=split(A[i][idx]); b=split(B[i][idx]); tp+=len(a&b); fp+=len(b-a); fn+=len(a-b)
    f1=2*tp/(2*tp+fp+fn); exact=sum(split(A[i][idx])==split(B[i][idx]) for i in ids)/len(ids)
    print(f"{name}: mean per-label κ {sum(ks)/len(ks):.3f}, micro-F1 {f1:.3f}, exact set agreement {exact:.3f}")
if "--disagreements" in sys.argv:
    out=sys.argv[sys.argv.index("--disagreements")+1]
    with open(out,"w",encoding="utf-8") as f:
        f.write("id\tprofession\ttext\tfield\tlabeler_A\tlabeler_B\n")
        n=0
        for i in ids:
            for name,idx in [("categories",3),("kind",4),("tier",5),("related",6)]:
                a,b=A[i][idx],B[i][idx]
                same = split(a)==split(b) if idx in (3,6) else a==b
                if not same:
                    f.write(f"{i}\t{A[i][1]}\t{A[i][2]}\t{name}\t{a}\t{b}\n"); n+=1
    print(f"disagreements written: {n}")
