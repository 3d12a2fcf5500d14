import { h } from "../dom";
import type { View } from "../view";
import { VIEWS } from "../main";

export const homeView: View = {
  title: "Home",
  blurb: "",
  async mount(main) {
    main.append(
      h("h1", null, "May this AI chip go there, and what can it do there?"),
      h("p", { class: "lead" },
        "US export-control rules on AI accelerators since October 2022, evaluated clause by clause for any chip, date, destination and end user, with every figure cited; and an analytical model of what the chips can do with large language models."),
      h("ul", { class: "cards" }, Object.entries(VIEWS).map(([p, v]) =>
        h("li", null, h("a", { href: p }, h("strong", null, v.title)), h("p", null, v.blurb)))),
      h("p", null, "Start with the H20's story: ",
        h("a", { href: "/chip?chip=nvidia-h20&date=2024-06-01&to=CN" }, "free in June 2024"), ", ",
        h("a", { href: "/chip?chip=nvidia-h20&date=2025-05-01&to=CN" }, "license required by the April 2025 letter"), ", ",
        h("a", { href: "/chip?chip=nvidia-h20&date=2025-09-01&to=CN" }, "presumption of approval with a 15% revenue share"), "."),
    );
    return async () => {};
  },
};
