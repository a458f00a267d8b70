using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace BackupFunctions.Http.OpenApi;

/// <summary>
/// The summaries of the XML documentation files the build writes beside each assembly (GenerateDocumentationFile),
/// as plain text for the descriptions of the OpenAPI schemas: the same words as the code's own documentation. A
/// missing file only means no descriptions.
/// </summary>
public sealed partial class ApiXmlDocs
{
    private readonly Dictionary<string, string> _summaries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, string>> _parameters = new(StringComparer.Ordinal);
    private readonly HashSet<Assembly> _loaded = [];

    /// <summary>The description of a type: its summary.</summary>
    public string? Of(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        Load(type.Assembly);
        return _summaries.GetValueOrDefault("T:" + IdOf(type));
    }

    /// <summary>
    /// The description of a property: its summary, or for a positional record's property the &lt;param&gt; of its type.
    /// </summary>
    public string? Of(MemberInfo member)
    {
        ArgumentNullException.ThrowIfNull(member);
        if (member.DeclaringType is not { } type)
            return null;
        Load(type.Assembly);
        var prefix = member is FieldInfo ? "F:" : "P:";
        if (_summaries.TryGetValue(prefix + IdOf(type) + "." + member.Name, out var summary))
            return summary;
        return _parameters.GetValueOrDefault("T:" + IdOf(type))?.GetValueOrDefault(member.Name);
    }

    private void Load(Assembly assembly)
    {
        if (!_loaded.Add(assembly) || string.IsNullOrEmpty(assembly.Location))
            return;
        var path = Path.ChangeExtension(assembly.Location, ".xml");
        if (!File.Exists(path))
            return;
        foreach (var member in XDocument.Load(path).Descendants("member"))
        {
            if (member.Attribute("name")?.Value is not { } name)
                continue;
            if (member.Element("summary") is { } summary && Text(summary) is { Length: > 0 } text)
                _summaries[name] = text;
            var parameters = member.Elements("param")
                .Where(p => p.Attribute("name") is not null)
                .Select(p => (Name: p.Attribute("name")!.Value, Text: Text(p)))
                .Where(p => p.Text.Length > 0)
                .ToList();
            if (parameters.Count > 0)
                _parameters[name] = parameters.DistinctBy(p => p.Name).ToDictionary(p => p.Name, p => p.Text, StringComparer.Ordinal);
        }
    }

    /// <summary>The element's text with <c>&lt;c&gt;</c> as backticks and references as the last part of their name.</summary>
    private static string Text(XElement element)
    {
        var parts = element.Nodes().Select(node => node switch
        {
            XText text => text.Value,
            XElement { Name.LocalName: "c" } code => "`" + code.Value + "`",
            XElement e when (e.Attribute("cref") ?? e.Attribute("name") ?? e.Attribute("langword")) is { } reference
                => e.Value.Length > 0 ? e.Value : LastName(reference.Value),
            XElement e => e.Value,
            _ => "",
        });
        return Whitespace().Replace(string.Concat(parts), " ").Trim();
    }

    /// <summary><c>M:A.B.C(System.String)</c> → <c>C</c>.</summary>
    private static string LastName(string reference)
    {
        var name = reference.Split('(')[0];
        return name[(name.LastIndexOf('.') + 1)..];
    }

    /// <summary>The documentation id of a type: namespace and name, nested types with dots, generics by their definition.</summary>
    private static string IdOf(Type type)
    {
        var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        return (definition.FullName ?? definition.Name).Replace('+', '.');
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
