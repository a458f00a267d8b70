using System.Text;

namespace BackupFunctions.Benchmark;

/// <summary>
/// Text assets of a CMS site (stylesheets, scripts, templates, PHP, translations, settings) made from a fixed
/// vocabulary and per-type line templates, so they compress roughly as real ones do. In a template '#' stands for a
/// word and '%' for a number below 1000.
/// </summary>
internal static class TextAssets
{
    private static readonly string[] WordList =
    [
        "page", "post", "author", "content", "header", "footer", "sidebar", "widget", "menu", "item", "link", "image",
        "gallery", "thumbnail", "caption", "title", "excerpt", "category", "tag", "archive", "search", "comment",
        "reply", "user", "profile", "avatar", "login", "logout", "register", "account", "settings", "option", "value",
        "field", "form", "input", "button", "submit", "label", "select", "checkbox", "modal", "dialog", "slider",
        "carousel", "banner", "hero", "section", "container", "wrapper", "row", "column", "grid", "flex", "block",
        "inline", "hidden", "visible", "active", "disabled", "primary", "secondary", "success", "warning", "error",
        "notice", "alert", "badge", "card", "panel", "table", "list", "nav", "breadcrumb", "pagination", "next",
        "previous", "first", "last", "home", "about", "contact", "blog", "news", "event", "calendar", "date", "time",
        "locale", "language", "translate", "theme", "plugin", "module", "hook", "filter", "action", "render",
        "template", "partial", "layout", "style", "script", "asset", "media", "upload", "file", "folder", "cache",
        "session", "cookie", "token", "nonce", "query", "request", "response", "route", "controller", "model", "view",
        "service", "provider", "factory", "handler", "listener", "config", "default", "custom", "enable", "disable",
        "install", "update", "delete", "create", "edit", "save", "load", "fetch", "parse", "format", "escape",
        "sanitize", "validate", "lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed",
        "do", "eiusmod", "tempor", "incididunt", "labore", "dolore", "magna", "aliqua", "enim", "minim", "veniam",
        "quis", "nostrud", "exercitation", "ullamco", "laboris", "nisi", "aliquip", "commodo", "consequat", "duis",
        "aute", "irure", "reprehenderit", "voluptate", "velit", "esse", "cillum", "fugiat", "nulla", "pariatur",
        "excepteur", "sint", "occaecat", "cupidatat", "proident", "sunt", "culpa", "officia", "deserunt", "mollit",
        "anim", "est", "laborum", "shop", "cart", "checkout", "product", "price", "order", "invoice", "shipping",
        "payment", "coupon", "discount", "stock", "review", "rating", "share", "social", "feed", "rss", "sitemap",
        "robots", "seo", "analytics", "tracking", "consent", "privacy", "terms", "cookie", "policy", "backup",
    ];

    private static readonly Dictionary<string, string[]> Templates = new()
    {
        ["css"] =
        [
            ".#-# {\n  display: flex;\n  margin: %px %px;\n  color: rgb(%, %, %);\n}\n",
            ".# .#__# > .#--# {\n  padding: %px;\n  font-size: %px;\n  line-height: 1.%;\n}\n",
            "@media (max-width: %px) {\n  .#-# { width: %%; }\n}\n",
            "#-# { background: url(\"../img/#-#.png\") no-repeat; border-radius: %px; }\n",
        ],
        ["js"] =
        [
            "function #_#(#, #) {\n  if (!#) { return null; }\n  return #.# + '#-#' + %;\n}\n",
            "document.querySelectorAll('.#-#').forEach((#) => {\n  #.addEventListener('#', () => #_#(#, %));\n});\n",
            "const # = { #: '#', #: %, #: [%, %, %] };\n",
            "export default class # extends # {\n  #() { return this.#.#('#'); }\n}\n",
        ],
        ["php"] =
        [
            "<?php\n/**\n * # # # # #.\n */\nfunction #_#_#( $#, $# = % ) {\n\treturn apply_filters( '#_#', $# );\n}\n",
            "add_action( '#_#', '#_#_#', % );\n",
            "$# = get_option( '#_#', array( '#' => %, '#' => '#' ) );\n",
            "if ( ! empty( $#['#'] ) ) {\n\techo esc_html__( '# # #', '#-#' );\n}\n",
        ],
        ["html"] =
        [
            "<div class=\"# #-#\">\n  <h2 class=\"#__#\">{{ # }}</h2>\n  <p># # # # # # # # #.</p>\n</div>\n",
            "<a href=\"/#/#-#/%\" class=\"#\">{{ #.# }}</a>\n",
            "{% for # in #.# %}\n  <li class=\"#-#\">{{ #.# | # }}</li>\n{% endfor %}\n",
            "<img src=\"/uploads/20%/%/#-#.jpg\" alt=\"# # #\" width=\"%\" height=\"%\">\n",
        ],
        ["json"] =
        [
            "{\"#\": \"#\", \"#\": %, \"#\": [\"#\", \"#\"], \"#\": {\"#\": true, \"#\": \"#-#\"}}\n",
            "{\"id\": %, \"#\": \"# # #\", \"#\": \"/#/#/%\"}\n",
        ],
        ["yml"] =
        [
            "#:\n  #: %\n  #: #-#\n  #: [#, #, #]\n",
            "# # #: true\n",
        ],
        ["po"] =
        [
            "#: #/#-#.php:%\nmsgid \"# # #\"\nmsgstr \"# # # #\"\n\n",
        ],
        ["svg"] =
        [
            "<path id=\"#-#\" d=\"M%.% %.%L%.% %.%C%,% %,% %,%Z\" fill=\"rgb(%,%,%)\"/>\n",
            "<g class=\"#\"><circle cx=\"%\" cy=\"%\" r=\"%\"/><text x=\"%\" y=\"%\">#</text></g>\n",
        ],
        ["md"] =
        [
            "# # # # # # # # # # # # #. # # # # # # #, # # # # #.\n",
            "\n## # # #\n\n",
            "- [# #](/#/#-#) # # # #\n",
        ],
    };

    private static readonly byte[][] Words = [.. WordList.Select(Encoding.ASCII.GetBytes)];

    private static readonly byte[][] Numbers =
        [.. Enumerable.Range(0, 1000).Select(n => Encoding.ASCII.GetBytes(n.ToString()))];

    public static IReadOnlyList<string> Vocabulary => WordList;

    /// <summary>Fills <paramref name="buffer"/> with text in the style of <paramref name="extension"/>.</summary>
    public static void Fill(Span<byte> buffer, string extension, FastRandom random)
    {
        var templates = Templates[extension];
        var position = 0;
        while (position < buffer.Length)
        {
            foreach (var symbol in random.Pick(templates))
            {
                var piece = symbol switch
                {
                    '#' => Words[random.Next(Words.Length)],
                    '%' => Numbers[random.Next(Numbers.Length)],
                    _ => null,
                };
                if (piece is null)
                {
                    buffer[position++] = (byte)symbol;
                }
                else
                {
                    var count = Math.Min(piece.Length, buffer.Length - position);
                    piece.AsSpan(0, count).CopyTo(buffer[position..]);
                    position += count;
                }

                if (position == buffer.Length)
                {
                    return;
                }
            }
        }
    }
}
