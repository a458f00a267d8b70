using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Catalog;

public sealed class CatalogTableServiceFactoryTests
{
    [Fact]
    public async Task Connection_string_gives_a_working_client()
    {
        var client = CatalogTableServiceFactory.Create(new CatalogOptions { ConnectionString = TestEnvironment.AzuriteConnectionString });

        Assert.Equal("devstoreaccount1", client.AccountName);
        await client.GetPropertiesAsync();
    }

    [Fact]
    public void Service_uri_gives_a_client_for_that_endpoint()
    {
        var client = CatalogTableServiceFactory.Create(new CatalogOptions { TableServiceUri = "https://acct.table.core.windows.net" });

        Assert.Equal("acct", client.AccountName);
        Assert.Equal(new Uri("https://acct.table.core.windows.net"), client.Uri);
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("", "not a uri")]
    public void Missing_or_bad_settings_are_refused(string connectionString, string uri)
    {
        var e = Assert.Throws<InvalidOperationException>(
            () => CatalogTableServiceFactory.Create(new CatalogOptions { ConnectionString = connectionString, TableServiceUri = uri }));

        Assert.Contains("Catalog:", e.Message, StringComparison.Ordinal);
    }
}
