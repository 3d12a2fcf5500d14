// Calendar dates (proleptic Gregorian, no time zone), as rules and chip records use them.
//
//   ASSIGN_OR_RETURN(Date d, ParseDate("2023-11-17"));
//   d < Date{2024, 4, 4};          // true
//   d.AddDays(1).ToString();       // "2023-11-18"
//
// ParseDate accepts exactly YYYY-MM-DD and rejects impossible dates (2023-02-29) with kParse.
#ifndef CEILING_BASE_DATE_H_
#define CEILING_BASE_DATE_H_

#include <compare>
#include <string>
#include <string_view>

#include "ceiling/base/result.h"

namespace ceiling {

struct Date {
  int year = 1970;
  int month = 1;
  int day = 1;

  // Days since 1970-01-01 (negative before).
  long DaysSinceEpoch() const;
  static Date FromDaysSinceEpoch(long days);
  Date AddDays(long n) const { return FromDaysSinceEpoch(DaysSinceEpoch() + n); }
  std::string ToString() const;  // "YYYY-MM-DD"

  auto operator<=>(const Date&) const = default;
};

bool IsValidDate(int year, int month, int day);
Result<Date> ParseDate(std::string_view text);

}  // namespace ceiling

#endif  // CEILING_BASE_DATE_H_
