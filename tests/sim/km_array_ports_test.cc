#include <gtest/gtest.h>
TEST(KmArrayPortsTest, Placeholder) {}
