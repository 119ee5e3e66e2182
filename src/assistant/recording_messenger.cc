#include "assistant/recording_messenger.h"

#include <cstdio>

namespace faqbot::assistant {

Status RecordingMessenger::Send(const Destination& to, const Reply& reply) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return held_.empty() || to.channel != held_; });
  std::string ts, channel;
  if (to.kind == Destination::Kind::kDirect || to.kind == Destination::Kind::kChannel) {
    char made_up[32];
    std::snprintf(made_up, sizeof made_up, "1700000000.%06d", ++posted_);
    ts = made_up;
    channel = to.kind == Destination::Kind::kDirect ? "D" + to.user.user_id : to.channel;
  }
  sent_.push_back({to, reply, PlainText(reply), ts});
  cv_.notify_all();
  Status outcome = Outcome();
  const PostedHandler posted = on_posted_;
  lock.unlock();
  if (outcome.ok() && posted && !reply.track.empty() && !ts.empty()) {
    posted(reply.track, channel, ts);
  }
  return outcome;
}

void RecordingMessenger::OnPosted(PostedHandler handler) {
  std::lock_guard lock(mu_);
  on_posted_ = std::move(handler);
}

Status RecordingMessenger::Outcome() {
  if (failures_ > 0) {
    --failures_;
    return failure_;
  }
  return Status::Ok();
}

Status RecordingMessenger::ShowHome(const store::UserRef& user, const HomeView& view) {
  std::lock_guard lock(mu_);
  std::string text;
  for (const auto& section : view.sections) text += PlainText(section) + "\n";
  homes_.push_back({user, view, std::move(text)});
  cv_.notify_all();
  return Outcome();
}

Status RecordingMessenger::OpenForm(const store::UserRef&, const std::string& trigger_id,
                                    const TopicForm& form) {
  std::lock_guard lock(mu_);
  forms_.push_back({trigger_id, form});
  cv_.notify_all();
  return Outcome();
}

std::vector<RecordingMessenger::Home> RecordingMessenger::homes() const {
  std::lock_guard lock(mu_);
  return homes_;
}

std::vector<RecordingMessenger::Form> RecordingMessenger::forms() const {
  std::lock_guard lock(mu_);
  return forms_;
}

std::string RecordingMessenger::DisplayName(const store::UserRef& user) {
  std::unique_lock lock(mu_);
  ++name_lookups_;
  ++names_waiting_;
  cv_.notify_all();
  cv_.wait(lock, [&] { return !names_held_; });
  --names_waiting_;
  auto it = names_.find(user);
  return it == names_.end() ? "" : it->second;
}

void RecordingMessenger::SetName(const store::UserRef& user, std::string name) {
  std::lock_guard lock(mu_);
  names_[user] = std::move(name);
}

void RecordingMessenger::Hold(const std::string& channel) {
  std::lock_guard lock(mu_);
  held_ = channel;
}

void RecordingMessenger::Release() {
  std::lock_guard lock(mu_);
  held_.clear();
  cv_.notify_all();
}

void RecordingMessenger::FailNext(int n, Status with) {
  std::lock_guard lock(mu_);
  failures_ = n;
  failure_ = std::move(with);
}

void RecordingMessenger::HoldNames() {
  std::lock_guard lock(mu_);
  names_held_ = true;
}

void RecordingMessenger::ReleaseNames() {
  std::lock_guard lock(mu_);
  names_held_ = false;
  cv_.notify_all();
}

int RecordingMessenger::names_waiting() const {
  std::lock_guard lock(mu_);
  return names_waiting_;
}

int RecordingMessenger::name_lookups() const {
  std::lock_guard lock(mu_);
  return name_lookups_;
}

std::vector<RecordingMessenger::Sent> RecordingMessenger::sent() const {
  std::lock_guard lock(mu_);
  return sent_;
}

bool RecordingMessenger::WaitForSent(size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return sent_.size() >= n; });
}

}  // namespace faqbot::assistant
