/* Each unit test file defines make_suite(); main.c runs it. */
#ifndef ATTEST_TEST_CHECK_MAIN_H
#define ATTEST_TEST_CHECK_MAIN_H

#include <check.h>

Suite *make_suite(void);

#endif
