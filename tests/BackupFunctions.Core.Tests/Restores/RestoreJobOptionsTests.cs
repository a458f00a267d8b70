using BackupFunctions.Core.Restores;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BackupFunctions.Core.Tests.Restores;

/// <summary><c>Restore:MaxParallelVolumes</c>: default 2, 1-16 accepted, anything else refused at start-up naming the setting.</summary>
public sealed class RestoreJobOptionsTests
{
    [Fact]
    public void Parallel_volumes_default_to_two()
        => Assert.Equal(2, Build([]).GetRequiredService<IOptions<RestoreJobOptions>>().Value.MaxParallelVolumes);

    [Theory]
    [InlineData("1")]
    [InlineData("16")]
    public void Parallel_volumes_from_1_to_16_are_accepted(string value)
        => Assert.Equal(int.Parse(value, System.Globalization.CultureInfo.InvariantCulture),
            Build(new() { ["Restore:MaxParallelVolumes"] = value }).GetRequiredService<IOptions<RestoreJobOptions>>().Value.MaxParallelVolumes);

    [Theory]
    [InlineData("0")]
    [InlineData("17")]
    [InlineData("-1")]
    public void Parallel_volumes_out_of_range_are_refused_at_start_up(string value)
    {
        var e = Assert.Throws<OptionsValidationException>(() =>
            Build(new() { ["Restore:MaxParallelVolumes"] = value }).GetRequiredService<IOptions<RestoreJobOptions>>().Value);
        Assert.Contains("Restore:MaxParallelVolumes", e.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddBackupEngine(configuration).BuildServiceProvider();
    }
}
