#include "ceiling/base/date.h"

#include <fmt/format.h>

#include <cctype>

namespace ceiling {

// Howard Hinnant's days_from_civil / civil_from_days.
long Date::DaysSinceEpoch() const {
  const int y = year - (month <= 2 ? 1 : 0);
  const long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned mp = static_cast<unsigned>(month > 2 ? month - 3 : month + 9);
  const unsigned doy = (153 * mp + 2) / 5 + static_cast<unsigned>(day) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long>(doe) - 719468;
}

Date Date::FromDaysSinceEpoch(long z) {
  z += 719468;
  const long era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long y = static_cast<long>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Date{static_cast<int>(y + (m <= 2 ? 1 : 0)), static_cast<int>(m), static_cast<int>(d)};
}

std::string Date::ToString() const { return fmt::format("{:04d}-{:02d}-{:02d}", year, month, day); }

bool IsValidDate(int year, int month, int day) {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int max = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= max;
}

Result<Date> ParseDate(std::string_view text) {
  auto bad = [&] {
    return MakeError(ErrorCode::kParse,
                     fmt::format("expected a date as YYYY-MM-DD, got \"{}\"", std::string(text)));
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad();
  int parts[3] = {0, 0, 0};
  const int starts[3] = {0, 5, 8};
  const int lens[3] = {4, 2, 2};
  for (int k = 0; k < 3; ++k) {
    for (int i = 0; i < lens[k]; ++i) {
      const char c = text[static_cast<size_t>(starts[k] + i)];
      if (!std::isdigit(static_cast<unsigned char>(c))) return bad();
      parts[k] = parts[k] * 10 + (c - '0');
    }
  }
  if (!IsValidDate(parts[0], parts[1], parts[2]))
    return MakeError(ErrorCode::kParse,
                     fmt::format("no such date: \"{}\"", std::string(text)));
  return Date{parts[0], parts[1], parts[2]};
}

}  // namespace ceiling
