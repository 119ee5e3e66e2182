#include "bench_topics.h"

#include <fstream>
#include <map>

namespace faqbot::bench {
namespace {

// One CSV record (fields may be quoted, with "" for a quote); false at end of input.
bool ReadRecord(std::istream& in, std::vector<std::string>& fields) {
  fields.clear();
  std::string line;
  if (!std::getline(in, line)) return false;
  std::string field;
  bool quoted = false;
  while (true) {
    for (size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (quoted) {
        if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
          field += '"';
          ++i;
        } else if (c == '"') {
          quoted = false;
        } else {
          field += c;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.push_back(std::move(field));
        field.clear();
      } else if (c != '\r') {
        field += c;
      }
    }
    if (!quoted || !std::getline(in, line)) break;
    field += '\n';  // a quoted field spanning lines
  }
  fields.push_back(std::move(field));
  return true;
}

Status ReadSplit(const std::string& path, bool test, std::vector<Category>& categories,
                 std::map<std::string, size_t>& index) {
  std::ifstream in(path);
  if (!in) return NotFoundError("cannot read " + path);
  std::vector<std::string> fields;
  ReadRecord(in, fields);  // header
  while (ReadRecord(in, fields)) {
    if (fields.size() != 2 || fields[0].empty()) continue;
    auto [it, added] = index.try_emplace(fields[1], categories.size());
    if (added) categories.push_back({fields[1], {}, {}});
    (test ? categories[it->second].test : categories[it->second].train).push_back(fields[0]);
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<Category>> ReadBanking77(const std::string& dir) {
  std::vector<Category> categories;
  std::map<std::string, size_t> index;
  FAQBOT_RETURN_IF_ERROR(ReadSplit(dir + "/train.csv", false, categories, index));
  FAQBOT_RETURN_IF_ERROR(ReadSplit(dir + "/test.csv", true, categories, index));
  if (categories.empty()) return InvalidArgumentError(dir + ": no rows");
  return categories;
}

std::string DefaultBanking77Dir() {
  return std::string(FAQBOT_SOURCE_DIR) + "/../shared/data/banking77";
}

std::vector<size_t> CategoriesForOwner(size_t category_count, size_t owner_index, size_t count) {
  // A stride coprime with 77 walks all categories; the start and stride vary with the owner.
  static constexpr size_t kStrides[] = {1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 13, 15, 16};
  const size_t stride = kStrides[(owner_index / category_count) % std::size(kStrides)];
  std::vector<size_t> picked;
  for (size_t k = 0; k < count && k < category_count; ++k) {
    picked.push_back((owner_index + k * stride) % category_count);
  }
  return picked;
}

std::vector<store::TopicContent> TopicsForOwner(const std::vector<Category>& categories,
                                                size_t owner_index, size_t count,
                                                size_t phrasings) {
  std::vector<store::TopicContent> topics;
  for (size_t c : CategoriesForOwner(categories.size(), owner_index, count)) {
    const Category& category = categories[c];
    const auto& train = category.train;
    store::TopicContent topic;
    const size_t first = (owner_index * 7) % train.size();
    topic.question = train[first];
    for (size_t p = 1; p <= phrasings && p < train.size(); ++p) {
      topic.phrasings.push_back(train[(first + p * 13) % train.size()]);
    }
    topic.answer = "Owner " + std::to_string(owner_index) + " on " + category.name +
                   ": see the team handbook, section " + std::to_string(c + 1) + ".";
    topics.push_back(std::move(topic));
  }
  return topics;
}

}  // namespace faqbot::bench
