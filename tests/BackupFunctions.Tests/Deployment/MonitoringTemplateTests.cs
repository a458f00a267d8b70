using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace BackupFunctions.Tests.Deployment;

/// <summary>
/// The Azure Portal monitoring (infra/bicep/modules/monitoring.bicep): its Kusto has one source, the files in
/// infra/bicep/monitoring/queries, shown in docs/operations.md and loaded by the Bicep into the alert rules and the
/// workbook; the workbook and the rules have the shape Azure requires. The module is evaluated offline by
/// <c>bicep snapshot</c> (no Azure access), so what is checked is what would be deployed.
/// </summary>
public sealed partial class MonitoringTemplateTests
{
    private const string Workspace = "/subscriptions/00000000-0000-0000-0000-0000000000a1/resourceGroups/rg-mon/providers/Microsoft.OperationalInsights/workspaces/log-mon";
    private const string AppInsights = "/subscriptions/00000000-0000-0000-0000-0000000000a1/resourceGroups/rg-mon/providers/Microsoft.Insights/components/appi-mon";

    private static readonly string BicepFolder = Path.Combine(BicepDeployment.RepositoryRoot(), "infra", "bicep");
    private static readonly string QueryFolder = Path.Combine(BicepFolder, "monitoring", "queries");

    private static readonly string[] RuleQueries =
        ["failed-backups.kql", "overdue-configs.kql", "failed-verifications.kql", "failed-restores.kql", "failed-restore-drills.kql", "service-silent.kql"];

    private static Dictionary<string, string> QueryFiles() => Directory.GetFiles(QueryFolder, "*.kql")
        .ToDictionary(f => Path.GetFileName(f), f => File.ReadAllText(f).TrimEnd('\n'), StringComparer.Ordinal);

    [Fact]
    public void The_docs_show_every_query_file_as_it_is_and_no_other_kusto()
    {
        var docs = File.ReadAllText(Path.Combine(BicepDeployment.RepositoryRoot(), "docs", "operations.md"));
        var section = docs[docs.IndexOf("## Monitoring in the Azure Portal", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 5, StringComparison.Ordinal)];

        var shown = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match block in KustoBlock().Matches(section))
        {
            var marker = block.Groups["marker"].Value;
            if (marker == "ad hoc")
                continue;
            Assert.StartsWith("query: ", marker, StringComparison.Ordinal);
            Assert.True(shown.TryAdd(marker["query: ".Length..], block.Groups["body"].Value), $"{marker} shown twice");
        }
        // Every kusto block is marked: one that is not could drift from the files unnoticed.
        Assert.Equal(Regex.Count(section, "```kusto"), KustoBlock().Count(section));

        var files = QueryFiles();
        Assert.Equal(files.Keys.Order(StringComparer.Ordinal), shown.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, text) in files)
            Assert.True(text == shown[name], $"docs/operations.md shows another {name} than {QueryFolder}/{name}");
    }

    [Fact]
    public void The_workbook_json_has_a_version_and_items_whose_queries_are_query_files()
    {
        var workbook = JsonNode.Parse(File.ReadAllText(Path.Combine(BicepFolder, "monitoring", "workbook.json")))!.AsObject();
        var files = QueryFiles();

        Assert.Equal("Notebook/1.0", workbook["version"]!.GetValue<string>());
        var items = workbook["items"]!.AsArray().Select(i => i!.AsObject()).ToList();
        Assert.NotEmpty(items);
        var queries = items.Where(i => i["type"]!.GetValue<int>() == 3).Select(i => i["content"]!.AsObject()).ToList();
        Assert.Equal(5, queries.Count);
        Assert.All(queries, content =>
        {
            Assert.Equal("KqlItem/1.0", content["version"]!.GetValue<string>());
            Assert.Contains(content["query"]!.GetValue<string>(), files.Keys);
            Assert.False(string.IsNullOrWhiteSpace(content["title"]?.GetValue<string>()));
            Assert.Contains(content["queryType"]!.GetValue<int>(), new[] { 0, 1 });
        });
        Assert.All(items.Select(i => i["name"]!.GetValue<string>()), name => Assert.False(string.IsNullOrEmpty(name)));
        Assert.Equal(items.Count, items.Select(i => i["name"]!.GetValue<string>()).Distinct().Count());
        // Queries only in the workbook, not in a rule.
        Assert.Empty(files.Keys.Except(RuleQueries).Except(queries.Select(c => c["query"]!.GetValue<string>())));
    }

    [Fact]
    public async Task The_module_deploys_an_action_group_six_rules_routed_to_it_and_the_workbook_with_the_query_files()
    {
        var resources = await SnapshotAsync(new Dictionary<string, string>
        {
            ["location"] = "'westeurope'",
            ["appInsightsId"] = $"'{AppInsights}'",
            ["logAnalyticsWorkspaceId"] = $"'{Workspace}'",
            ["actionGroupEmails"] = "['ops@example.org', 'cms-admin@example.org']",
            ["actionGroupWebhooks"] = "['https://hooks.example.org/backup-alerts']",
            ["configOverdueHours"] = "30",
        });
        var files = QueryFiles();

        var group = Assert.Single(resources, r => Type(r) == "Microsoft.Insights/actionGroups");
        var groupId = group["id"]!.GetValue<string>();
        Assert.Equal("global", group["location"]!.GetValue<string>());
        var groupProperties = group["properties"]!;
        Assert.InRange(groupProperties["groupShortName"]!.GetValue<string>().Length, 1, 12);
        Assert.Equal(["ops@example.org", "cms-admin@example.org"],
            groupProperties["emailReceivers"]!.AsArray().Select(r => r!["emailAddress"]!.GetValue<string>()));
        Assert.Equal(["https://hooks.example.org/backup-alerts"],
            groupProperties["webhookReceivers"]!.AsArray().Select(r => r!["serviceUri"]!.GetValue<string>()));
        Assert.All(groupProperties["emailReceivers"]!.AsArray().Concat(groupProperties["webhookReceivers"]!.AsArray()),
            r => Assert.True(r!["useCommonAlertSchema"]!.GetValue<bool>()));

        var rules = resources.Where(r => Type(r) == "Microsoft.Insights/scheduledQueryRules").ToList();
        Assert.Equal(RuleQueries.Length, rules.Count);
        var queriesOfRules = new List<string>();
        foreach (var rule in rules)
        {
            var name = rule["name"]!.GetValue<string>();
            var properties = rule["properties"]!;
            Assert.Equal("LogAlert", rule["kind"]!.GetValue<string>());
            Assert.InRange(properties["severity"]!.GetValue<int>(), 0, 4);
            Assert.True(properties["enabled"]!.GetValue<bool>(), name);
            var frequency = System.Xml.XmlConvert.ToTimeSpan(properties["evaluationFrequency"]!.GetValue<string>());
            var window = System.Xml.XmlConvert.ToTimeSpan(properties["windowSize"]!.GetValue<string>());
            Assert.InRange(frequency, TimeSpan.FromMinutes(1), TimeSpan.FromDays(1));
            Assert.InRange(window, frequency, TimeSpan.FromDays(2));
            Assert.Equal([Workspace], properties["scopes"]!.AsArray().Select(s => s!.GetValue<string>()));
            Assert.Equal([groupId], properties["actions"]!["actionGroups"]!.AsArray().Select(a => a!.GetValue<string>()));

            var condition = Assert.Single(properties["criteria"]!["allOf"]!.AsArray())!;
            var query = condition["query"]!.GetValue<string>();
            queriesOfRules.Add(query);
            var measure = condition["metricMeasureColumn"]!.GetValue<string>();
            Assert.Contains(measure, query, StringComparison.Ordinal);
            if (name.EndsWith("service-silent", StringComparison.Ordinal))
            {
                // Fires on silence: one row for the whole service (no split), below one evaluation in the window.
                Assert.Empty(condition["dimensions"]!.AsArray());
                Assert.DoesNotContain(" by ", query, StringComparison.Ordinal);
                Assert.Equal("LessThan", condition["operator"]!.GetValue<string>());
                Assert.Equal(1, condition["threshold"]!.GetValue<double>());
                Assert.True(window >= 2 * frequency, "the window spans more than one hourly evaluation");
                continue;
            }
            Assert.Equal(["ConfigName", "ConfigId"], condition["dimensions"]!.AsArray().Select(d => d!["name"]!.GetValue<string>()));
            Assert.All(condition["dimensions"]!.AsArray(), d => Assert.Contains($"{d!["name"]!.GetValue<string>()} =", query, StringComparison.Ordinal));
            Assert.Equal("GreaterThan", condition["operator"]!.GetValue<string>());
            Assert.Equal(name.EndsWith("overdue-configs", StringComparison.Ordinal) ? 30 : 0, condition["threshold"]!.GetValue<double>());
        }
        // Each rule runs one query file as it is, except the overdue hours the deployment sets.
        var expected = RuleQueries.Select(f => files[f]).Select(q => q.Replace("let overdueHours = 26;", "let overdueHours = 30;", StringComparison.Ordinal));
        Assert.Equal(expected.Order(StringComparer.Ordinal), queriesOfRules.Select(q => q.TrimEnd('\n')).Order(StringComparer.Ordinal));
        Assert.Contains(queriesOfRules, q => q.Contains("let overdueHours = 30;", StringComparison.Ordinal));

        var workbook = Assert.Single(resources, r => Type(r) == "Microsoft.Insights/workbooks");
        Assert.Equal("shared", workbook["kind"]!.GetValue<string>());
        Assert.Equal(AppInsights, workbook["properties"]!["sourceId"]!.GetValue<string>());
        Assert.True(Guid.TryParse(workbook["name"]!.GetValue<string>(), out _));
        var data = JsonNode.Parse(workbook["properties"]!["serializedData"]!.GetValue<string>())!;
        Assert.Equal("Notebook/1.0", data["version"]!.GetValue<string>());
        var template = JsonNode.Parse(File.ReadAllText(Path.Combine(BicepFolder, "monitoring", "workbook.json")))!;
        var deployedItems = data["items"]!.AsArray();
        Assert.Equal(template["items"]!.AsArray().Count, deployedItems.Count);
        foreach (var (deployed, source) in deployedItems.Zip(template["items"]!.AsArray()))
        {
            if (source!["type"]!.GetValue<int>() != 3)
            {
                Assert.True(JsonNode.DeepEquals(source, deployed));
                continue;
            }
            var content = deployed!["content"]!;
            Assert.Equal(files[source["content"]!["query"]!.GetValue<string>()], content["query"]!.GetValue<string>().TrimEnd('\n'));
            var targets = content["crossComponentResources"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
            Assert.Equal(content["queryType"]!.GetValue<int>() == 0 ? [Workspace] : ["/subscriptions/00000000-0000-0000-0000-0000000000a1"], targets);
            Assert.Equal(source["content"]!["title"]!.GetValue<string>(), content["title"]!.GetValue<string>());
        }
    }

    private static string? Type(JsonObject resource) => resource["type"]?.GetValue<string>();

    /// <summary>monitoring.bicep evaluated with these parameters (Bicep literals) by <c>bicep snapshot</c>, in a copy.</summary>
    private static async Task<List<JsonObject>> SnapshotAsync(IReadOnlyDictionary<string, string> parameters)
    {
        var bicep = (await BicepDeployment.RunAsync("bash", [Path.Combine(BicepFolder, "bicep-cli.sh")], BicepFolder)).Trim();
        var work = Directory.CreateTempSubdirectory("bf-monitoring-");
        try
        {
            Directory.CreateDirectory(Path.Combine(work.FullName, "modules"));
            File.Copy(Path.Combine(BicepFolder, "bicepconfig.json"), Path.Combine(work.FullName, "bicepconfig.json"));
            File.Copy(Path.Combine(BicepFolder, "modules", "monitoring.bicep"), Path.Combine(work.FullName, "modules", "monitoring.bicep"));
            Directory.CreateDirectory(Path.Combine(work.FullName, "monitoring", "queries"));
            File.Copy(Path.Combine(BicepFolder, "monitoring", "workbook.json"), Path.Combine(work.FullName, "monitoring", "workbook.json"));
            foreach (var query in Directory.GetFiles(QueryFolder, "*.kql"))
                File.Copy(query, Path.Combine(work.FullName, "monitoring", "queries", Path.GetFileName(query)));
            var paramFile = Path.Combine(work.FullName, "modules", "monitoring.bicepparam");
            await File.WriteAllTextAsync(paramFile,
                "using 'monitoring.bicep'\n" + string.Concat(parameters.Select(p => $"param {p.Key} = {p.Value}\n")));

            await BicepDeployment.RunAsync(bicep, [
                "snapshot", paramFile, "--mode", "overwrite",
                "--subscription-id", "00000000-0000-0000-0000-0000000000a1", "--tenant-id", "00000000-0000-0000-0000-0000000000b2",
                "--resource-group", "rg-mon", "--location", "westeurope", "--deployment-name", "monitoring",
            ], Path.Combine(work.FullName, "modules"));
            var snapshot = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(work.FullName, "modules", "monitoring.snapshot.json")))!;
            Assert.Empty(snapshot["diagnostics"]?.AsArray() ?? []);
            return [.. snapshot["predictedResources"]!.AsArray().Select(r => r!.AsObject())];
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>A kusto code block and the HTML comment on the line before it (<c>&lt;!-- query: x.kql --&gt;</c> or <c>&lt;!-- ad hoc --&gt;</c>).</summary>
    [GeneratedRegex(@"<!-- (?<marker>[^>]+?) -->\n```kusto\n(?<body>.*?)\n```", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex KustoBlock();
}
