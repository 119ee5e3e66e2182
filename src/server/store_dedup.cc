#include "server/store_dedup.h"

#include <algorithm>
#include <string>

namespace faqbot::server {

Result<bool> StoreDedup::MarkIfNew(std::string_view id, int64_t expires_at_unix) {
  const int64_t ttl_seconds = std::max<int64_t>(1, expires_at_unix - clock_.UnixSeconds());
  return store_.MarkEventIfNew(std::string(id), std::chrono::seconds(ttl_seconds));
}

}  // namespace faqbot::server
