// A view: `mount` draws its controls into `main` and returns the function that (re)draws its
// results from the current URL; the app calls it again whenever the query string changes.
export interface View {
  title: string;
  blurb: string;
  mount(main: HTMLElement): Promise<() => Promise<void>>;
}
