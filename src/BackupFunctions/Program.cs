using BackupFunctions;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddBackupFunctionsApp(builder.Configuration);
builder.Services.AddBackupTelemetry(builder.Configuration);
builder.Build().Run();
