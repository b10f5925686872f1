"""Adds new writers' labeled remarks (LABELS.md's TSV, one file per writer)
to the training part, as done in the third round (W30-W69):

- a file the validator rejects is skipped (VALIDATE=tools/labeling/validate.py,
  the writers' format checker; see tools/labeling/README.md);
- a remark whose text (NFKC, blanks removed) repeats one already in any
  set of data/labeled or an earlier new file is left out, so nothing
  reaches the training part that the frozen sets hold;
- every 10th remark of each writer (by line order) goes to
  holdout-r3.tsv, fresh evidence that nothing is tuned on;
- the rest is appended to train.tsv.

    python3 tools/merge_writers.py out/w30.tsv out/w31.tsv ...
"""
import os, re, subprocess, sys, unicodedata

LAB = os.path.join(os.path.dirname(__file__), '..', 'data', 'labeled')
HEADER = 'id\tprofession\ttext\tcategories\tkind\ttier\trelated'


def norm(t):
    return re.sub(r'\s+', '', unicodedata.normalize('NFKC', t))


def rows(path):
    out = []
    for line in open(path, encoding='utf-8'):
        line = line.rstrip('\n')
        if not line.strip() or line.startswith('#') or line.startswith('id\t'):
            continue
        c = line.split('\t')
        out.append((c + [''] * 7)[:7])
    return out


def main(files):
    seen = set()
    for f in sorted(os.listdir(LAB)):
        if f.endswith('.tsv'):
            seen.update(norm(r[2]) for r in rows(os.path.join(LAB, f)))
    merged = {r[0].split('-')[0] for r in rows(os.path.join(LAB, 'train.tsv'))}
    validator = os.environ.get('VALIDATE')
    add, hold = [], []
    for path in files:
        if validator:
            v = subprocess.run(['python3', validator, path], capture_output=True, text=True).stdout
            m = re.search(r'(\d+) remarks, (\d+) errors', v)
            if not m or m.group(2) != '0':
                print('skipped (validator):', path)
                continue
        rs = rows(path)
        if rs and rs[0][0].split('-')[0] in merged:
            print('skipped (already in train.tsv):', path)
            continue
        repeated = held = kept = 0
        for i, r in enumerate(rs):
            key = norm(r[2])
            if key in seen:
                repeated += 1
                continue
            seen.add(key)
            if i % 10 == 9:
                hold.append(r)
                held += 1
            else:
                add.append(r)
                kept += 1
        print(f'{path}: {len(rs)} remarks, {repeated} repeated, {held} held out, {kept} to train')
    with open(os.path.join(LAB, 'train.tsv'), 'a', encoding='utf-8') as f:
        for r in add:
            f.write('\t'.join(r) + '\n')
    hp = os.path.join(LAB, 'holdout-r3.tsv')
    new = not os.path.exists(hp)
    with open(hp, 'a', encoding='utf-8') as f:
        if new:
            f.write(HEADER + '\n')
        for r in hold:
            f.write('\t'.join(r) + '\n')
    print(f'train.tsv +{len(add)}, holdout-r3.tsv +{len(hold)}')


if __name__ == '__main__':
    main(sys.argv[1:])
