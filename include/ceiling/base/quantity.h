// Physical quantities as types.
//
// A `Quantity<Dim<...>>` stores one double in SI base units (byte, second, operation, watt,
// metre) and carries its dimension in the type, so adding a bandwidth to a byte count, or passing
// seconds where bytes are expected, fails to compile. Products and quotients compose dimensions:
//
//   Bytes weights = Bytes::FromGiga(140);                // 140 GB
//   BytesPerSecond bw = BytesPerSecond::FromTera(3.35);  // 3.35 TB/s
//   Seconds t = weights / bw;                            // 41.8 ms
//   double ms = t.In(1e-3);                              // raw number only at the edges
//
// Raw doubles appear only at I/O edges (parsing, rendering). Thread safety: plain values.
#ifndef CEILING_BASE_QUANTITY_H_
#define CEILING_BASE_QUANTITY_H_

#include <cmath>
#include <compare>
#include <type_traits>

namespace ceiling {

// Exponents of the base dimensions: data (byte), time (second), work (operation),
// power (watt), length (metre).
template <int B, int S, int O, int W, int L>
struct Dim {
  static constexpr int kBytes = B, kSeconds = S, kOps = O, kWatts = W, kMetres = L;
};

template <typename D1, typename D2>
using DimProduct = Dim<D1::kBytes + D2::kBytes, D1::kSeconds + D2::kSeconds, D1::kOps + D2::kOps,
                       D1::kWatts + D2::kWatts, D1::kMetres + D2::kMetres>;
template <typename D1, typename D2>
using DimQuotient = Dim<D1::kBytes - D2::kBytes, D1::kSeconds - D2::kSeconds,
                        D1::kOps - D2::kOps, D1::kWatts - D2::kWatts, D1::kMetres - D2::kMetres>;
using Dimensionless = Dim<0, 0, 0, 0, 0>;

template <typename D>
class Quantity {
 public:
  using Dimension = D;

  constexpr Quantity() = default;
  // The value in SI base units (bytes, seconds, operations, watts, metres and their products).
  static constexpr Quantity FromBase(double v) { return Quantity(v); }
  static constexpr Quantity FromKilo(double v) { return Quantity(v * 1e3); }
  static constexpr Quantity FromMega(double v) { return Quantity(v * 1e6); }
  static constexpr Quantity FromGiga(double v) { return Quantity(v * 1e9); }
  static constexpr Quantity FromTera(double v) { return Quantity(v * 1e12); }
  static constexpr Quantity FromPeta(double v) { return Quantity(v * 1e15); }
  static constexpr Quantity Zero() { return Quantity(0.0); }

  constexpr double base() const { return v_; }
  // The value expressed in a unit that is `unit` base units (e.g. In(1e12) for tera).
  constexpr double In(double unit) const { return v_ / unit; }

  constexpr Quantity operator+(Quantity o) const { return Quantity(v_ + o.v_); }
  constexpr Quantity operator-(Quantity o) const { return Quantity(v_ - o.v_); }
  constexpr Quantity operator-() const { return Quantity(-v_); }
  constexpr Quantity& operator+=(Quantity o) { v_ += o.v_; return *this; }
  constexpr Quantity& operator-=(Quantity o) { v_ -= o.v_; return *this; }
  constexpr Quantity operator*(double k) const { return Quantity(v_ * k); }
  constexpr Quantity operator/(double k) const { return Quantity(v_ / k); }
  constexpr Quantity& operator*=(double k) { v_ *= k; return *this; }
  friend constexpr Quantity operator*(double k, Quantity q) { return Quantity(k * q.v_); }
  // Ratio of two quantities of the same dimension is a plain number.
  constexpr double operator/(Quantity o) const { return v_ / o.v_; }

  template <typename D2>
  constexpr Quantity<DimProduct<D, D2>> operator*(Quantity<D2> o) const {
    return Quantity<DimProduct<D, D2>>::FromBase(v_ * o.base());
  }
  template <typename D2, typename = std::enable_if_t<!std::is_same_v<D, D2>>>
  constexpr Quantity<DimQuotient<D, D2>> operator/(Quantity<D2> o) const {
    return Quantity<DimQuotient<D, D2>>::FromBase(v_ / o.base());
  }

  constexpr auto operator<=>(const Quantity&) const = default;

 private:
  constexpr explicit Quantity(double v) : v_(v) {}
  double v_ = 0.0;
};

using Bytes = Quantity<Dim<1, 0, 0, 0, 0>>;
using Seconds = Quantity<Dim<0, 1, 0, 0, 0>>;
using Ops = Quantity<Dim<0, 0, 1, 0, 0>>;               // FLOP or integer operations
using Watts = Quantity<Dim<0, 0, 0, 1, 0>>;
using Metres = Quantity<Dim<0, 0, 0, 0, 1>>;
using SquareMetres = Quantity<Dim<0, 0, 0, 0, 2>>;
using BytesPerSecond = Quantity<Dim<1, -1, 0, 0, 0>>;
using OpsPerSecond = Quantity<Dim<0, -1, 1, 0, 0>>;
using Hertz = Quantity<Dim<0, -1, 0, 0, 0>>;
using Joules = Quantity<Dim<0, 1, 0, 1, 0>>;
using OpsPerByte = Quantity<Dim<-1, 0, 1, 0, 0>>;       // arithmetic intensity

// Area in the unit export rules use.
constexpr double SquareMillimetresOf(SquareMetres a) { return a.In(1e-6); }
constexpr SquareMetres FromSquareMillimetres(double mm2) { return SquareMetres::FromBase(mm2 * 1e-6); }
// Milliseconds, the unit of latency in serving reports.
constexpr double MillisecondsOf(Seconds t) { return t.In(1e-3); }

template <typename D>
Quantity<D> Max(Quantity<D> a, Quantity<D> b) { return a < b ? b : a; }
template <typename D>
Quantity<D> Min(Quantity<D> a, Quantity<D> b) { return b < a ? b : a; }

}  // namespace ceiling

#endif  // CEILING_BASE_QUANTITY_H_
