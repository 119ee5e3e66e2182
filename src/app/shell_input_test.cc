#include "app/shell_input.h"

#include <gtest/gtest.h>

#include <sstream>

namespace faqbot::app {
namespace {

TEST(ShellInputTest, EachLineIsAMessage) {
  std::istringstream in("hi\nadd a topic\r\n\nlast");
  EXPECT_EQ(ReadShellMessage(in), "hi");
  EXPECT_EQ(ReadShellMessage(in), "add a topic");
  EXPECT_EQ(ReadShellMessage(in), "");
  EXPECT_EQ(ReadShellMessage(in), "last");
  EXPECT_EQ(ReadShellMessage(in), std::nullopt);
}

TEST(ShellInputTest, ABackslashAtTheEndGoesOnToTheNextLine) {
  std::istringstream in("Two steps:\\\n1. open the portal\\\n2. press Reset\nnext");
  EXPECT_EQ(ReadShellMessage(in), "Two steps:\n1. open the portal\n2. press Reset");
  EXPECT_EQ(ReadShellMessage(in), "next");
  std::istringstream cut("dangling\\");
  EXPECT_EQ(ReadShellMessage(cut), "dangling");
}

TEST(ShellInputTest, ABracketedPasteIsOneMessage) {
  std::istringstream in(
      "\x1b[200~Two steps:\n1. open the portal\\\n2. press Reset\x1b[201~\nshow my topics\n");
  int prompts = 0;
  EXPECT_EQ(ReadShellMessage(in, [&] { ++prompts; }),
            "Two steps:\n1. open the portal\\\n2. press Reset");
  EXPECT_EQ(prompts, 2);
  EXPECT_EQ(ReadShellMessage(in), "show my topics");
  // Typed around a paste, on one line.
  std::istringstream one("the answer is \x1b[200~on the fridge\x1b[201~, ok\n");
  EXPECT_EQ(ReadShellMessage(one), "the answer is on the fridge, ok");
  // A pasted backslash at the end is text.
  std::istringstream path("\x1b[200~It is C:\\Temp\\\x1b[201~\nadd a topic\n");
  EXPECT_EQ(ReadShellMessage(path), "It is C:\\Temp\\");
  EXPECT_EQ(ReadShellMessage(path), "add a topic");
  // A paste cut short by the end of input keeps what came.
  std::istringstream cut("\x1b[200~first\nsecond");
  EXPECT_EQ(ReadShellMessage(cut), "first\nsecond");
}

}  // namespace
}  // namespace faqbot::app
