// MatcherOptions: every tunable of the matcher, with the defaults the benchmarks were measured
// with (docs/nlu.md). Stored inside each model file, so a model answers the same way wherever it
// is loaded. Value type.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace faqbot::nlu {

struct MatcherOptions {
  // --- text: 1 makes each Han ideograph and kana a term of its own (TokenizeOptions); 0 makes a
  // run of them one term, as models stored before this option did (their files load with 0).
  float split_ideographs = 1.0f;
  // --- term weights
  float stop_weight = 0.15f;   // weight factor of function words
  float max_idf = 9.0f;        // background IDF cap (unknown words get the cap)
  float min_idf = 1.0f;        // background IDF floor
  float local_idf_mix = 0.5f;  // 0: background IDF only; 1: scaled fully by in-bot rarity
  // --- term similarity
  float synonym_sim = 0.75f;    // same synset
  float derivation_sim = 0.7f;  // derivationally related
  float hypernym_sim = 0.45f;   // more general
  float hyponym_sim = 0.4f;     // more specific
  float similar_sim = 0.55f;    // similar-to, verb group, also-see
  float other_sim = 0.45f;      // pertainym, attribute, entailment, cause
  float sense_decay = 0.6f;     // factor per sense rank (0 = most frequent sense)
  float typo_sim = 0.8f;        // factor on the character-trigram Dice of unknown words
  float typo_min_dice = 0.55f;  // below this Dice, two words are unrelated
  float vector_sim = 0.6f;      // similarity of two words whose vectors are identical
  float vector_floor = 0.35f;   // word-vector cosine at or below which words are unrelated
  float sentence_mix = 0.2f;    // share of the example score from mean-word-vector cosine
  // --- example score: weighted harmonic blend of recall (query covered) and precision
  float recall_weight = 0.5f;  // 0.5 = F1; higher favours covering the query
  // --- confidence: sigmoid(scale * (score - center') + margin_gain * (score - second))
  float conf_scale = 12.0f;
  float conf_center = 0.5f;
  float margin_gain = 6.0f;
  // The centre rises with bot size: + size_gain × ln(topics / size_reference) above the
  // reference, because among more topics an unrelated one is more likely to look close.
  float size_gain = 0.1f;
  float size_reference = 10.0f;
  // --- decline centre learned from the bot's own examples (models of format 2 and later): up
  // to calibration_probes examples are scored as if their own topic did not exist, and the
  // centre is the mean of those near-miss values (best score plus the margin term) plus
  // calibration_offset, at least calibration_floor; with the classifier head (whose scores are
  // on another scale) calibration_head_offset and calibration_head_floor. It replaces
  // conf_center and the size term; calibration_probes=0 keeps them (format 1).
  float calibration_probes = 96.0f;
  // Each probe is matched against every example: with many examples, fewer probes (probes ×
  // examples ≤ this, but at least 32) keep training fast.
  float calibration_budget = 15000.0f;
  float calibration_offset = 0.2f;
  float calibration_floor = 0.5f;
  float calibration_head_offset = 0.12f;
  float calibration_head_floor = 0.4f;
  // Bots of fewer than size_reference topics get lower floors, by this × ln(size_reference /
  // topics), topics counted as at least size_reference / 2: among fewer topics an unrelated
  // question is less likely to land near one.
  float calibration_floor_size_gain = 0.29f;
  // Bots of more than size_reference topics with the head get a lower head floor, by this ×
  // ln(topics / size_reference): a big bot whose phrasings are far apart learns a centre below
  // the floor, and the floor alone then declines questions its first guess gets right.
  float calibration_head_floor_large_gain = 0.02f;
  // Bots with the head whose topics have fewer than calibration_head_floor_few_reference
  // phrasings on average get a lower head floor, by this × ln(reference / phrasings per topic):
  // a head trained on few phrasings is less sure of the right topic, and the floor alone then
  // declined questions its first guess got right (0.035 lower at three phrasings).
  float calibration_head_floor_few_gain = 0.05f;
  float calibration_head_floor_few_reference = 6.0f;
  // At most this: a bot of two or three crowded topics would otherwise learn a centre that even
  // its own phrasings cannot reach (none of the validation bots came above 0.74).
  float calibration_max = 0.85f;
  // A bot whose topics have many phrasings (calibration_cv_min_phrasings or more on average, and
  // the head) learns its centre from its own mistakes instead: about calibration_cv_holdout of
  // its phrasings are held out (every tenth example, up to ten such folds), the head is
  // retrained without them, and each is matched as a question against the rest. When at least
  // calibration_cv_min_mistakes of them are matched to another topic, the centre is the
  // calibration_cv_quantile of those mistakes' near-miss values plus calibration_cv_offset
  // (at least the head's floor). A bot whose topics are easily confused makes confident
  // mistakes and must be surer before it answers; one whose mistakes are unsure may answer
  // sooner. 0 holdout: off (model files written before load so).
  float calibration_cv_holdout = 300.0f;
  float calibration_cv_min_phrasings = 8.0f;
  float calibration_cv_min_mistakes = 20.0f;
  float calibration_cv_quantile = 0.5f;
  float calibration_cv_offset = 0.08f;
  // --- classifier head (topic_classifier.h), used when topics have several phrasings
  // Mean examples per topic from which the head is trained (0: never).
  float head_min_examples = 2.0f;
  // And at least this many topics: with two or three, a topic's calibration probe leaves the
  // head one or two topics to put all its probability on, which taught such bots to decline
  // nearly everything (valid, 2 × 3: faq 63.7 with the head, 76.0 without).
  float head_min_topics = 4.0f;
  float head_mix = 0.5f;  // share of a topic's score from the head's probability
  // Training passes over the examples: at most head_epochs, fewer for many examples so that
  // passes × examples ≤ head_max_steps (but at least 3), which bounds the training time.
  float head_epochs = 12.0f;
  float head_max_steps = 60000.0f;
  float head_rate = 0.5f;  // initial learning rate
  float head_l2 = 3e-5f;   // weight decay per example
  // The head's features: 1 weighs each term by its IDF over the bot's own examples, function
  // words included, and a question's words the bot never saw count in its length (a question
  // mostly of new words gets weaker features); 0 uses the matcher's term weights, as models
  // stored before this option did (their files load with 0).
  float head_idf = 1.0f;
  // --- decision
  float threshold = 0.5f;  // decline (nlu_fallback) below this confidence

  // Sets one field by name ("threshold=0.6"). InvalidArgument for unknown names or bad numbers.
  Status Set(std::string_view assignment);
  // "name=value,..." for every field, in declaration order.
  std::string ToString() const;
};

}  // namespace faqbot::nlu
