"""nose.tools' assertions: unittest.TestCase's, under nose's snake_case names."""
import unittest

_case = unittest.TestCase()
_case.maxDiff = None

assert_equal = _case.assertEqual
assert_not_equal = _case.assertNotEqual
assert_almost_equal = _case.assertAlmostEqual
assert_true = _case.assertTrue
assert_false = _case.assertFalse
assert_raises = _case.assertRaises
assert_less = _case.assertLess
assert_greater = _case.assertGreater
assert_is_instance = _case.assertIsInstance
