using BackupFunctions.LocalHost;

// Usage: BackupFunctions.LocalHost [--settings <local.settings.json>] [--url http://127.0.0.1:7071]
var options = new LocalHostOptions { SettingsFile = "local.settings.json" };
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--settings": options.SettingsFile = args[i + 1]; break;
        case "--url": options.Url = args[i + 1]; break;
        default:
            Console.Error.WriteLine($"Unknown option {args[i]}. Usage: --settings <file> --url <http://127.0.0.1:port>");
            return 2;
    }
}

await using var host = await LocalFunctionsHost.StartAsync(options);
Console.WriteLine($"BackupFunctions local host listening on {host.BaseAddress}api/ with {host.Functions.Count} functions:");
foreach (var function in host.Functions.OrderBy(f => f.Kind).ThenBy(f => f.Name))
    Console.WriteLine($"  {function.Kind,-13} {function.Name}");
await host.WaitForShutdownAsync();
return 0;
