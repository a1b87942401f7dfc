// .npy files and .npz archives built from numpy's format description (numpy.lib.format).

#include "test_helpers.hpp"

#include <mlv/inspect/inspect.hpp>

#include <gtest/gtest.h>

namespace {

using namespace std::string_literals;
using namespace mlv::inspect;
using namespace mlv::inspect::testing;

// A .npy of `major` version with the dict literal `header`, padded as numpy pads it.
std::string npy(const std::string& header, std::size_t data_bytes, int major = 1) {
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  std::string text = header;
  const std::size_t unpadded = 6 + 2 + length_bytes + text.size() + 1;
  text.append((64 - unpadded % 64) % 64, ' ');
  text += '\n';
  return "\x93NUMPY" + std::string(1, static_cast<char>(major)) + std::string(1, '\0') +
         le(text.size(), static_cast<int>(length_bytes)) + text + std::string(data_bytes, '\x07');
}

TEST(Numpy, VersionTwoHeaderFortranOrderAndPython2Longs) {
  const std::string bytes =
      npy("{'descr': '>i2', 'fortran_order': True, 'shape': (3L, 5L), }", 30, 2);
  const auto inspection = inspect_source(mlv::formats::MemorySource(bytes, "a.npy"), "a.npy");
  EXPECT_EQ(inspection.format, "numpy");
  EXPECT_EQ(fact_text(inspection, "version"), "2.0");
  EXPECT_EQ(fact_text(inspection, "dtype"), ">i2");
  EXPECT_EQ(fact_text(inspection, "shape"), "[3, 5]");
  EXPECT_EQ(fact_text(inspection, "fortran_order"), "true");
  EXPECT_EQ(fact_number(inspection, "elements"), 15u);
  const auto summary = short_summary(inspection);
  EXPECT_EQ(summary_text(summary, "dtype"), ">i2");
  EXPECT_EQ(summary_text(summary, "shape"), "[3, 5]");
}

TEST(Numpy, ScalarsStructuredAndObjectArrays) {
  const auto scalar = inspect_source(
      mlv::formats::MemorySource(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", 8),
                                 "s.npy"),
      "s.npy");
  EXPECT_EQ(fact_text(scalar, "shape"), "[]");
  EXPECT_EQ(fact_number(scalar, "elements"), 1u);

  const auto structured =
      inspect_source(mlv::formats::MemorySource(
                         npy("{'descr': [('x', '<f4'), ('y', '<i8')], 'fortran_order': False, "
                             "'shape': (2,), }",
                             24),
                         "r.npy"),
                     "r.npy");
  EXPECT_EQ(fact_text(structured, "dtype"), "[('x', '<f4'), ('y', '<i8')]");

  // Object arrays hold pickles, which numpy.load(allow_pickle=True) would run.
  const auto objects = inspect_source(
      mlv::formats::MemorySource(
          npy("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", 40), "o.npy"),
      "o.npy");
  EXPECT_EQ(fact_text(objects, "pickled_objects"), "true");
}

TEST(Numpy, NpzListsEachArrayAndCountsCompressedOnes) {
  const std::string a = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 2), }", 32);
  const std::string b = npy("{'descr': '|b1', 'fortran_order': False, 'shape': (5,), }", 5);
  const std::string archive = ZipBuilder().add("weights.npy", a).add("mask.npy", b).build();
  const auto npz = inspect_source(mlv::formats::MemorySource(archive, "w.npz"), "w.npz");
  EXPECT_EQ(npz.format, "numpy");
  EXPECT_EQ(fact_number(npz, "arrays"), 2u);
  EXPECT_EQ(fact_number(npz, "elements"), 13u);
  EXPECT_EQ(fact_text(npz, "dtypes"), "<f4, |b1");
  ASSERT_EQ(npz.tensors.size(), 2u);
  EXPECT_EQ(npz.tensors[0].name, "weights");
  EXPECT_EQ(shape_text(npz.tensors[0].shape), "[4, 2]");
  EXPECT_EQ(npz.tensors[1].bytes, 5u);
  EXPECT_EQ(summary_text(short_summary(npz), "arrays"), "2");
}

TEST(Numpy, TruncatedOrHostileHeadersAreBadInputNamingTheFile) {
  const std::string good =
      npy("{'descr': '<f4', 'fortran_order': False, 'shape': (32, 32), }", 4096);
  // The data cut short: the shape needs more bytes than the file holds.
  EXPECT_NE(bad_input_message(good.substr(0, 1000), "cut.npy").find("needs"), std::string::npos);
  // The header cut short.
  bad_input_message(good.substr(0, 40), "header.npy");
  // A header length of 4 GiB in a version 2 file.
  bad_input_message("\x93NUMPY\x02\x00"s + le(0xFFFFFFFF, 4) + "{}", "length.npy");
  // Not a dict, a dict without a shape, a shape of text, unbalanced brackets, deep nesting.
  const std::vector<std::string> headers = {
      "['descr']", "{'descr': '<f4'}", "{'descr': '<f4', 'shape': ('a',)}",
      "{'descr': '<f4', 'shape': (3,", std::string(100, '(') + std::string(100, ')')};
  for (const auto& header : headers) {
    bad_input_message(npy(header, 16), "literal.npy");
  }
  // A shape whose element count overflows 64 bits.
  bad_input_message(
      npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 2), }", 16),
      "overflow.npy");
}

} // namespace
