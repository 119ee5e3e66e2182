// Store: help channels (channels where the bot answers on its own) and the thread lookup that
// keeps it from answering a thread twice.
#include "store/limits.h"
#include "store/store.h"
#include "store/store_rows.h"

namespace faqbot::store {

using internal::EnsurePerson;
using internal::ValidateUser;

namespace {

constexpr const char* kWatchedColumns = "team_id, channel, watched_by, watched_at";

WatchedChannel WatchedFromRow(const SqlRow& row) {
  WatchedChannel w;
  w.team_id = row[0].str();
  w.channel = row[1].str();
  w.watched_by = row[2].str();
  w.watched_at = row[3].Int();
  return w;
}

}  // namespace

Result<bool> Store::WatchChannel(const UserRef& by, const std::string& channel) {
  FAQBOT_RETURN_IF_ERROR(ValidateUser(by, "user"));
  FAQBOT_RETURN_IF_ERROR(ValidateId(channel, "channel"));
  const int64_t now = clock_.UnixMillis();
  bool added = false;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    FAQBOT_RETURN_IF_ERROR(EnsurePerson(tx, by, now));
    FAQBOT_ASSIGN_OR_RETURN(
        auto rows, tx.Exec("INSERT INTO watched_channels (team_id, channel, watched_by, "
                           "watched_at) VALUES (?, ?, ?, ?) ON CONFLICT (team_id, channel) "
                           "DO NOTHING RETURNING channel",
                           {Text(by.team_id), Text(channel), Text(by.user_id), now}));
    added = !rows.empty();
    return Status::Ok();
  }));
  return added;
}

Result<bool> Store::UnwatchChannel(const std::string& team_id, const std::string& channel) {
  FAQBOT_RETURN_IF_ERROR(ValidateId(team_id, "team"));
  FAQBOT_RETURN_IF_ERROR(ValidateId(channel, "channel"));
  bool removed = false;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kWrite, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(
        auto rows, tx.Exec("DELETE FROM watched_channels WHERE team_id = ? AND channel = ? "
                           "RETURNING channel",
                           {Text(team_id), Text(channel)}));
    removed = !rows.empty();
    return Status::Ok();
  }));
  return removed;
}

Result<std::optional<WatchedChannel>> Store::GetWatchedChannel(const std::string& team_id,
                                                               const std::string& channel) {
  FAQBOT_RETURN_IF_ERROR(ValidateId(team_id, "team"));
  FAQBOT_RETURN_IF_ERROR(ValidateId(channel, "channel"));
  std::optional<WatchedChannel> found;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kRead, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(auto rows,
                            tx.Exec(std::string("SELECT ") + kWatchedColumns +
                                        " FROM watched_channels WHERE team_id = ? AND channel = ?",
                                    {Text(team_id), Text(channel)}));
    found.reset();
    if (!rows.empty()) found = WatchedFromRow(rows[0]);
    return Status::Ok();
  }));
  return found;
}

Result<std::vector<WatchedChannel>> Store::ListWatchedChannels(const std::string& team_id) {
  FAQBOT_RETURN_IF_ERROR(ValidateId(team_id, "team"));
  std::vector<WatchedChannel> channels;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kRead, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT ") + kWatchedColumns +
                                                   " FROM watched_channels WHERE team_id = ? "
                                                   "ORDER BY watched_at, channel",
                                               {Text(team_id)}));
    channels.clear();
    for (const auto& row : rows) channels.push_back(WatchedFromRow(row));
    return Status::Ok();
  }));
  return channels;
}

Result<bool> Store::HasQuestionInThread(const std::string& team_id, const std::string& channel,
                                        const std::string& thread_ts) {
  FAQBOT_RETURN_IF_ERROR(ValidateId(team_id, "team"));
  FAQBOT_RETURN_IF_ERROR(ValidateId(channel, "channel"));
  FAQBOT_RETURN_IF_ERROR(ValidateId(thread_ts, "thread ts"));
  bool found = false;
  FAQBOT_RETURN_IF_ERROR(backend_->WithTransaction(TxMode::kRead, [&](SqlTransaction& tx) {
    FAQBOT_ASSIGN_OR_RETURN(
        auto rows, tx.Exec("SELECT id FROM questions WHERE team_id = ? AND channel = ? AND "
                           "thread_ts = ? LIMIT 1",
                           {Text(team_id), Text(channel), Text(thread_ts)}));
    found = !rows.empty();
    return Status::Ok();
  }));
  return found;
}

}  // namespace faqbot::store
