// Package azstorage keeps jobs on Azure Storage: the work queue on Azure
// Queue Storage (azqueue) and the job records on Azure Table Storage
// (aztables), in the function app's own storage account, reached through
// the AzureWebJobsStorage connection exactly as the Functions host reads it
// (a connection string, UseDevelopmentStorage=true for Azurite, or the
// identity-based AzureWebJobsStorage__* settings).
//
// Table layout (one table, JOBS_TABLE):
//
//	PartitionKey  RowKey     properties
//	<jobID>       job        Job (the jobs.Job JSON), ExpiresAt
//	<jobID>       u|<unit>   Delta (the jobs.Delta JSON), ExpiresAt
//	replay        <hash>     ExpiresAt (a webhook delivery seen by some instance)
//
// A unit's commit is one insert (EntityAlreadyExists: a redelivery); a job
// is read with one partition query and folded (jobs.Fold). Table Storage
// has no TTL: Purge deletes what expired, and the sweep calls it.
//
// Queue messages are the jobs.Message JSON as plain text: host.json sets
// extensions.queues.messageEncoding to "none", so the host's queue trigger
// hands the text over unchanged.
//
// Platform documents: https://learn.microsoft.com/azure/storage/tables/table-storage-overview,
// https://learn.microsoft.com/azure/storage/queues/storage-queues-introduction,
// https://learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity
package azstorage
